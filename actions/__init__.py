"""Meldwijzer's action server (rasa-sdk). One module per concern."""

# rasa-sdk serves with Sanic, which closes a new connection that has sent nothing after
# KEEP_ALIVE_TIMEOUT (5 s by default). A busy Rasa server (its event loop runs NLU and the
# tracker store synchronously) can connect and write its request only seconds later; Rasa
# does not retry, so the action and its events were lost and the user got no next question
# (seen with 50 users at once on 2 cores, tests/test_load_faults.py). rasa-sdk creates its
# app before it imports this package, so the app's settings can still be changed here.
ACTION_SERVER_IDLE_TIMEOUT = 75  # seconds


def _configure_action_server() -> None:
    try:
        from sanic import Sanic

        app = Sanic.get_app("rasa_sdk")
    except Exception:  # noqa: BLE001 - not inside `rasa run actions` (tests, tools)
        return
    app.config.KEEP_ALIVE_TIMEOUT = max(app.config.KEEP_ALIVE_TIMEOUT, ACTION_SERVER_IDLE_TIMEOUT)
    # Only the Rasa server may call; no error answer carries the conversation.
    from actions.server_guard import guard

    guard(app)


_configure_action_server()
