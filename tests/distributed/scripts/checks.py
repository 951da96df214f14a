"""The worker scripts' bookkeeping: ``@check(name)`` runs a check and records "ok" or its traceback;
``report()`` prints this rank's ``RESULT {json}`` line for the test to read."""
import json
import traceback

results = {}


def check(name):
    def wrap(fn):
        try:
            fn()
            results[name] = "ok"
        except Exception:
            results[name] = traceback.format_exc(limit=4)
        return fn
    return wrap


def report(rank):
    print("RESULT " + json.dumps({"rank": rank, "results": results}), flush=True)
