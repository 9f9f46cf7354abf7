"""An open-loop load generator for POST /api/v1/referrals, run as its own process.

Requests are scheduled at a fixed rate and latency is measured from the scheduled time, so a slow server cannot hide
its queueing (no coordinated omission). Prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import resource
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

GIVEN = ["Amina", "Grace", "Olivia", "Fatima", "Sofia", "Chloe", "Aisha", "Maria", "Priya", "Zara", "Hannah", "Jade"]
FAMILY = ["Okafor", "Smith", "Khan", "Silva", "Nowak", "Jones", "Begum", "Ahmed", "Brown", "Osei", "Patel", "Murphy"]
BOROUGHS = [f"E09{n:06d}" for n in range(1, 34)]


def payload(rng: random.Random) -> dict:
    return {
        "survivor": {
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "date_of_birth": f"{rng.randint(1950, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "phone": f"07700 9{rng.randint(0, 99999):05d}",
            "postcode": "E1 6AN",
        },
        "borough": rng.choice(BOROUGHS),
        "abuse_types": rng.sample(["physical", "coercive_control", "economic", "stalking", "sexual"], 2),
        "needs": ["idva"],
        "equality": {"police_ethnicity_code": rng.choice(["W1", "B2", "A3", "M1", "NS"]), "sex": "female"},
        "safe_contact": {"phone_ok": True, "safe_times": "weekdays 10-12"},
        "consent": {"referral": True},
        "referrer": {"name": "Load Test", "role": "benchmark"},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=48)
    args = parser.parse_args()
    target = urlsplit(args.url)
    local = threading.local()
    rng = random.Random(7)
    bodies = [json.dumps(payload(rng)) for _ in range(2000)]

    def send(index: int, scheduled: float) -> tuple[float, float, int, float]:
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        started = time.perf_counter()
        headers = {
            "Authorization": f"Bearer {args.key}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        try:
            local.conn.request("POST", target.path, body=bodies[index % len(bodies)], headers=headers)
            response = local.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.conn.close()
            del local.conn
            status = 0
        finished = time.perf_counter()
        return finished - scheduled, finished - started, status, finished

    total = int(args.rate * args.seconds)
    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        futures = [pool.submit(send, i, start + i / args.rate) for i in range(total)]
        results = [f.result() for f in futures]
    elapsed = max(r[3] for r in results) - start if results else 0  # first scheduled send to last answer
    from_schedule = sorted(r[0] for r in results)
    service = sorted(r[1] for r in results)
    errors = sum(1 for r in results if r[2] != 201)

    def pct(values, p):
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000, 1)

    print(
        json.dumps(
            {
                "requests": total,
                "errors": errors,
                "status_codes": sorted({r[2] for r in results}),
                "target_rate": args.rate,
                "achieved_rate": round(total / elapsed, 1) if elapsed else 0,
                "latency_ms_from_schedule": {
                    "p50": pct(from_schedule, 50),
                    "p95": pct(from_schedule, 95),
                    "p99": pct(from_schedule, 99),
                    "max": pct(from_schedule, 100),
                },
                "latency_ms_service": {"p50": pct(service, 50), "p95": pct(service, 95), "p99": pct(service, 99)},
                "loadgen_cpu_seconds": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_utime
                    + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
                    1,
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
