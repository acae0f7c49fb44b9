"""`rasa data validate`, with every warning either fixed or explained here.

Rasa prints some warnings that are expected for this project; each one is listed below
with the reason. Any other warning (or error) fails `make test`.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXPLAINED = {
    # Sent by custom actions, and by Rasa's action_default_fallback (utter_default).
    r"The utterance '(utter_contact_unknown|utter_contacts_unavailable|utter_default)' is not used": "used by actions",
    r"The utterance '(utter_professional_decides|utter_answer_buttons|utter_afweging_5_later|"
    r"utter_answer_in_words|utter_no_route|utter_nothing_to_change|utter_route_hint)' is not used": "used by actions/route_form.py",
    # The FAQ responses are split over two files (faq_responses_a/_b); Rasa counts the
    # retrieval intent 'faq' once per file.
    r"duplicated intents have been found across multiple domain files: faq$": "FAQ split over two files",
}


def main(data_paths: list[str]) -> int:
    rasa = str(Path(sys.executable).with_name("rasa"))
    cmd = [rasa, "data", "validate", "--data", *data_paths]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    problems = []
    for line in output.splitlines():
        if "UserWarning" in line or " WARNING " in line or "ERROR" in line:
            if not any(re.search(pattern, line) for pattern in EXPLAINED):
                problems.append(line.strip())
    if proc.returncode != 0 or problems:
        print(output[-6000:])
        print("\nUnexplained validation warnings/errors:" if problems else "")
        for line in problems:
            print("  " + line)
        return 1
    print("rasa data validate: ok (only explained warnings)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
