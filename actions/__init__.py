"""Meldwijzer's action server (rasa-sdk). One module per concern."""
