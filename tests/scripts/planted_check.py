#!/usr/bin/env python3
"""Check a JSON Lines hunt of the planted collection against its expect.tsv.

Malicious rows: a finding on that host with the expected location, technique and at least
min_risk. Benign rows: no finding on that host above max_risk and none at High or above.
Usage: planted_check.py EXPECT_TSV HUNT_JSONL
"""
import json
import sys

RISK = {'Info': 0, 'Low': 1, 'Medium': 2, 'High': 3, 'Critical': 4}


def main():
    by_host = {}
    with open(sys.argv[2], encoding='utf-8') as f:
        for line in f:
            d = json.loads(line)
            by_host.setdefault(d['host'], []).append(d)
    bad = ok = 0
    with open(sys.argv[1], encoding='utf-8') as f:
        next(f)
        for line in f:
            host, kind, loc, tech, min_r, max_r, lineno = line.rstrip('\n').split('\t')
            found = by_host.get(host, [])
            if kind == 'malicious':
                hits = [d for d in found if d['location_id'] == loc]
                good = [d for d in hits
                        if d['technique'] == tech and RISK[d['risk']] >= RISK[min_r]]
                if not good:
                    bad += 1
                    print('planted.tsv:%s %s: expected %s %s >= %s, got %s' % (
                        lineno, host, loc, tech, min_r,
                        [(d['location_id'], d['technique'], d['risk'], d['reasons'])
                         for d in found] or 'nothing'))
                else:
                    ok += 1
            else:
                lim = min(RISK[max_r] if max_r else 2, 2)
                over = [d for d in found if RISK[d['risk']] > lim]
                if over:
                    bad += 1
                    print('planted.tsv:%s %s benign: %s' % (
                        lineno, host, [(d['location_id'], d['risk'], d['reasons'])
                                       for d in over]))
                else:
                    ok += 1
    print('planted_check: %d passed, %d failed' % (ok, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
