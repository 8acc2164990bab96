#!/usr/bin/env python3
"""Procure to pay: a supplier's promise (a UC) that protects ours (an SLA).

    python3 examples/erp/procure_to_pay/run.py build/bin/duly

Six runs of `duly run`, one per export (exports/01.jsonl ... 06.jsonl), each at
the time the scheduler ran. Every firing each run must print is written out
below with the reason it fires; the script fails (exit 1) when duly prints
anything else, prints a key twice, when the store's final `duly state` differs
from one `duly evaluate` over all the exports, or when the underpinning contract
does not warn before the customer promise does. See README.md.

Times: our plant (Eindhoven, Mon-Fri 08:00-17:00) and the supplier's works
(Hesse, Mon-Fri 07:00-16:00) are both on CEST (UTC+2) in September 2027; there
is no public holiday in that month in either country.
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from erp_steps import Failure, Firing, Step, main  # noqa: E402

STEPS = [
    Step("01.jsonl", "2027-09-08T16:00:00Z",
         "CO-5001 and CO-5002 ordered; a PO goes to the supplier for each",
         expect=[
             # CO-5001: ordered Mon 6 09:00, 10 working days -> due Mon 20 17:00;
             # its PO (Mon 11:00) is due at the supplier's close on Mon 13 (5 days).
             # CO-5002: ordered Tue 7 10:00 -> due Tue 21 17:00; PO Tue 10:30 -> due
             # Tue 14 16:00. Nothing is due yet.
         ]),
    Step("02.jsonl", "2027-09-13T16:00:00Z",
         "CO-5001's part arrives and the kit ships; CO-5003 entered (taken at a fair on Friday); "
         "the supplier confirms CO-5002's part for Tue 14",
         expect=[
             # CO-5002's UC: 5 h 30 m on Tue 7 + 5 x 9 h = 50 h 30 m; one supplier day
             # (9 h) before the due date is Mon 13 16:00. (CO-5001's chase, Fri 10
             # 16:00, never came: its part arrived Thu 9.)
             Firing("CO-5002/supplier_delivery/supplier_chase/20270907T083000Z/0", "2027-09-13T14:00:00Z",
                    "one supplier working day before the part is due (Tue 14 16:00): ask for the shipping notice"),
         ]),
    Step("03.jsonl", "2027-09-15T10:00:00Z",
         "CO-5002's part did not come; the supplier announces a delay, the ERP can now only "
         "confirm Wed 22; the buyer escalates; CO-5003's supplier waits for our drawing approval",
         expect=[
             # The UC breaks first: nothing at the dock at the supplier's close Tue 14.
             Firing("CO-5002/supplier_delivery/supplier_late/20270907T083000Z/0", "2027-09-14T14:00:00Z",
                    "UC BREACHED: the part is not at our dock at the supplier's due date; plan express freight"),
             # The delay notice (Wed 15 09:00) makes the ERP confirm Wed 22 15:00 to the
             # customer, after our promise (Tue 21 17:00): at risk, told at that event.
             Firing("CO-5002/customer_delivery/tell_customer/20270907T080000Z/0", "2027-09-15T07:00:00Z",
                    "the SLA is AT RISK: the confirmable date (Wed 22) is after our promise (Tue 21)"),
             Firing("CO-5002/supplier_delivery/vendor_manager/20270907T083000Z/0", "2027-09-15T07:30:00Z",
                    "raised by hand: the buyer's escalate_supplier event"),
         ]),
    Step("04.jsonl", "2027-09-17T16:00:00Z",
         "the supplier's EDI resends its delay notice (a duplicate); express freight booked",
         duplicates=1,  # the supplier_delay_notice of Wed 15 09:00, received twice
         expect=[
             # due + 18 h (two supplier days late): Thu 16 16:00; then every 9 h.
             Firing("CO-5002/supplier_delivery/supplier_penalty/20270907T083000Z/0", "2027-09-16T14:00:00Z",
                    "two supplier working days late: claim the contract's penalty"),
             # 75 % of our 97 h (7 h Tue + 10 x 9 h) = 72 h 45 m: Fri 17 10:45, not shipped.
             Firing("CO-5002/customer_delivery/customer_service_check/20270907T080000Z/0", "2027-09-17T08:45:00Z",
                    "75 % of our 10 working days gone and the kit not shipped"),
             Firing("CO-5002/supplier_delivery/supplier_penalty/20270907T083000Z/1", "2027-09-17T14:00:00Z",
                    "a further supplier working day late: penalty, repeat 1"),
         ]),
    Step("05.jsonl", "2027-09-22T16:00:00Z",
         "engineering's approval of Thu 16 arrives only now (a LATE event); CO-5002's part arrives "
         "Mon 20 and goes out by express courier, delivered Tue 21 11:00; CO-5003's part arrives",
         expect=[
             # CO-5003's UC: PO Mon 13 09:00, 7 + 4 x 9 = 52 h -> due Mon 20 16:00. The
             # supplier waited for our approval Tue 14 10:00 to Thu 16 10:00 (18 supplier
             # hours, our delay, not theirs): due Wed 22 16:00, chase at Tue 21 16:00.
             # Until the late approval arrived, duly saw the clock as still paused.
             Firing("CO-5003/supplier_delivery/supplier_chase/20270913T070000Z/0", "2027-09-21T14:00:00Z",
                    "one supplier day before the due date, moved 18 h by our own drawing approval"),
             # CO-5003's promise counts from the order date on the order, Fri 10 16:00
             # (start_at), not from Monday's entry: 1 + 10 x 9 = 91 h, 75 % at Wed 22 12:15.
             Firing("CO-5003/customer_delivery/customer_service_check/20270910T140000Z/0", "2027-09-22T10:15:00Z",
                    "75 % gone, counted from the order date at the fair (Fri 10 16:00)"),
             # CO-5002's penalty repeat 2 (Mon 20 16:00) never fired: the part arrived 10:00.
         ]),
    Step("06.jsonl", "2027-09-27T07:00:00Z",
         "CO-5003 shipped and delivered on time",
         expect=[
             # Nothing: CO-5003 delivered Fri 24 10:00, before its due (Fri 24 17:00).
         ]),
]


def extra(outcome, clock):
    """The UC protects the SLA: it is tighter, and it warns first."""
    timers = {(t["id"], t["target"]): t for t in outcome.final if t["kind"] == "timer"}
    for order in sorted({i for i, _ in timers}):
        uc, sla = timers[(order, "supplier_delivery")], timers[(order, "customer_delivery")]
        if not uc["due"] < sla["due"]:
            raise Failure(f"{order}: the supplier's due {uc['due']} is not before ours {sla['due']}")
        print(f"checked: {order}: the supplier's part is due {clock.show(uc['due'])}, "
              f"before our promise {clock.show(sla['due'])}")
    when = {}
    for step, firings in outcome.printed.items():
        for f in firings:
            when[f["key"]] = (f["fired_at"], step)
    uc_breach = when["CO-5002/supplier_delivery/supplier_late/20270907T083000Z/0"]
    at_risk = when["CO-5002/customer_delivery/tell_customer/20270907T080000Z/0"]
    if not uc_breach < at_risk:
        raise Failure(f"the UC breach {uc_breach} does not come before the SLA's at-risk warning {at_risk}")
    print(f"checked: CO-5002: the UC breach fired at {clock.show(uc_breach[0])}, before the customer "
          f"promise's at-risk warning at {clock.show(at_risk[0])}")
    if timers[("CO-5002", "supplier_delivery")]["state"] != "breached" or \
            timers[("CO-5002", "customer_delivery")]["state"] != "met":
        raise Failure("CO-5002: expected the UC breached and the customer promise met")
    print("checked: CO-5002: UC breached, customer promise met (the early alarm bought the express freight)")
    if timers[("CO-5003", "supplier_delivery")]["paused_seconds"] != 2 * 86400:
        raise Failure("CO-5003: the late approval should have ended the supplier's pause after 2 days")
    print("checked: CO-5003: the late approval event closed the supplier's 2-day pause where it belonged")


if __name__ == "__main__":
    sys.exit(main(HERE, STEPS, "Europe/Amsterdam", extra=extra))
