"""Shared machinery of the campaign-loop tests (issue 10): a list dialled
live against the fake call API, then phone_call.ended events written into
its journal through the library's webhook receiver (record_events, a small
C program over phn_campaign_receiver_open/record/refused/close: the calls
`phonenorm webhook` makes once a delivery is verified).

The event payloads follow ../shared/api/webhooks.md: every field at the top
level, metadata.requestMetadata = the metadata the call request carried
(phonenorm_dispatch_id, phonenorm_campaign).
"""
import json
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402

RECORD = None  # set by main(): the record_events binary


def ended(dispatch_id, number, delivery, *, duration=0, call_output="CALL_RESULT",
          sentiment="NEUTRAL", ended_reason="customer-ended-call", campaign=None,
          provider=None):
    """A phone_call.ended payload (a dict) for the attempt dispatch_id."""
    meta = {"phonenorm_dispatch_id": dispatch_id}
    if campaign:
        meta["phonenorm_campaign"] = campaign
    return {
        "providerCallId": str(uuid.uuid4()),
        "numberFrom": "+15550100000",
        "numberTo": number,
        "providerStatus": provider or delivery,
        "deliveryStatus": delivery,
        "duration": duration,
        "summary": "a test call" if delivery == "pass" else None,
        "endedReason": ended_reason,
        "callOutput": call_output,
        "callOutputReasoning": "because the test says so",
        "sentimentOutput": sentiment,
        "sentimentOutputReasoning": "a test",
        "transcription": "AI: hello\nUser: hi",
        "recordingUrl": "https://recordings.example/%s.wav" % uuid.uuid4(),
        "metadata": {"requestMetadata": meta},
    }


def record(db, items):
    """items: (svix_id, timestamp_s, payload dict) or ("!refused", reason).
    Returns the outcome names of the events, in order."""
    lines = []
    for it in items:
        if it[0] == "!refused":
            lines.append("!refused\t%s" % it[1])
        else:
            lines.append("%s\t%d\t%s" % (it[0], it[1], json.dumps(it[2], separators=(",", ":"))))
    p = subprocess.run([RECORD, db], input=("\n".join(lines) + "\n").encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    err = dt.no_sanitizer_report(p.stderr.decode("utf-8", "replace"))
    if p.returncode != 0:
        raise AssertionError("record_events failed (%d): %s" % (p.returncode, err))
    return p.stdout.decode().split()


def svix_id():
    return "msg_" + uuid.uuid4().hex


def latest_calls(db):
    """{line: the row's latest call attempt (a dict)}."""
    out = {}
    for a in dt.journal_attempts(db):
        if a["step"] == "call":
            out[a["line"]] = a
    return out


def call_numbers(reqs):
    """The numbers of the call requests the server received, in order."""
    return [r["number"] for r in reqs if r["path"].endswith(dt.CALL_SUFFIX)]


def main(argv):
    """`prog PATH/TO/phonenorm PATH/TO/record_events [unittest args]`."""
    global RECORD
    RECORD = os.path.abspath(argv[2])
    del argv[2]
    return dt.main(argv)
