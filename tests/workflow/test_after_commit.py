"""A transition's letters are made after its transaction: the hook sees the committed letter,
and a job queue can take the work over by replacing the hook."""

from workflow.data.models import Letter
from workflow.services import transitions


def test_the_after_commit_hook_gets_the_committed_letters(rt, people, journey, monkeypatch):
    case_id = journey.case_in("submitted")
    seen = []

    def enqueue(rt_, outcome):
        with rt_.db.session() as s:  # a new session: only committed rows are visible
            seen.extend(
                (x.kind, x.sha256) for x in map(lambda i: s.get(Letter, i), outcome.letters)
            )

    monkeypatch.setattr(transitions, "AFTER_COMMIT", [enqueue])
    transitions.fire(rt, people.clerk.id, case_id, "accept")
    assert seen == [("acceptance_notice", None)]


def test_a_failing_hook_does_not_undo_the_transition(rt, people, journey, monkeypatch):
    case_id = journey.case_in("submitted")

    def broken(rt_, outcome):
        raise RuntimeError("queue down")

    monkeypatch.setattr(transitions, "AFTER_COMMIT", [broken])
    outcome = transitions.fire(rt, people.clerk.id, case_id, "accept")
    assert outcome.state == "review" and outcome.letters
