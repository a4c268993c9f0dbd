#!/usr/bin/env python3
"""Check ATT&CK Navigator layers against the layer format 4.5
(mitre-attack/attack-navigator: layers/spec/v4.5/layerformat.md; facts in
../shared/reference/siem-edr-ti.md 4.2): the required fields (name, domain, versions.layer
"4.5", versions.navigator at least 4.9.0) and the type of every optional field reghunt writes.
Usage: navigator_check.py LAYER.json...  Prints one line per problem; exit 1 when any."""
import json
import re
import sys

TECH = re.compile(r'^T[0-9]{4}(\.[0-9]{3})?$')
COLOR = re.compile(r'^#[0-9a-fA-F]{6}$')
TACTICS = {'reconnaissance', 'resource-development', 'initial-access', 'execution',
           'persistence', 'privilege-escalation', 'defense-evasion', 'credential-access',
           'discovery', 'lateral-movement', 'collection', 'command-and-control',
           'exfiltration', 'impact'}
TOP = {'name', 'versions', 'domain', 'description', 'filters', 'sorting', 'layout',
       'hideDisabled', 'techniques', 'gradient', 'legendItems', 'showTacticRowBackground',
       'tacticRowBackground', 'selectTechniquesAcrossTactics', 'selectSubtechniquesWithParent',
       'selectVisibleTechniques', 'metadata', 'links'}
TECH_KEYS = {'techniqueID', 'tactic', 'score', 'color', 'comment', 'enabled', 'metadata',
             'links', 'showSubtechniques'}


def version(s):
    return tuple(int(x) for x in s.split('.'))


def metadata(v, where, bad):
    if not isinstance(v, list):
        bad.append('%s: metadata is not a list' % where)
        return
    for m in v:
        ok = isinstance(m, dict) and (
            (set(m) == {'name', 'value'} and all(isinstance(m[k], str) for k in m)) or
            m == {'divider': True})
        if not ok:
            bad.append('%s: bad metadata item %r' % (where, m))


def check(layer):
    bad = []
    if not isinstance(layer, dict):
        return ['layer is not an object']
    for k in layer:
        if k not in TOP:
            bad.append('unknown field %r' % k)
    if not isinstance(layer.get('name'), str) or not layer.get('name'):
        bad.append('name: required string')
    if layer.get('domain') not in ('enterprise-attack', 'mobile-attack', 'ics-attack'):
        bad.append('domain: %r' % layer.get('domain'))
    v = layer.get('versions')
    if not isinstance(v, dict):
        bad.append('versions: missing')
    else:
        if v.get('layer') != '4.5':
            bad.append('versions.layer must be "4.5": %r' % v.get('layer'))
        nav = v.get('navigator')
        if not isinstance(nav, str) or not re.match(r'^\d+\.\d+\.\d+$', nav) or \
                version(nav) < (4, 9, 0):
            bad.append('versions.navigator must be at least 4.9.0: %r' % nav)
        if 'attack' in v and not isinstance(v['attack'], str):
            bad.append('versions.attack: not a string')
    for k in ('description',):
        if k in layer and not isinstance(layer[k], str):
            bad.append('%s: not a string' % k)
    if 'hideDisabled' in layer and not isinstance(layer['hideDisabled'], bool):
        bad.append('hideDisabled: not a boolean')
    g = layer.get('gradient')
    if g is not None:
        if not (isinstance(g, dict) and isinstance(g.get('colors'), list) and
                len(g['colors']) >= 2 and all(isinstance(c, str) and COLOR.match(c)
                                              for c in g['colors']) and
                isinstance(g.get('minValue'), (int, float)) and
                isinstance(g.get('maxValue'), (int, float)) and g['minValue'] < g['maxValue']):
            bad.append('gradient: %r' % g)
    for li in layer.get('legendItems', []):
        if not (isinstance(li, dict) and set(li) == {'label', 'color'} and
                isinstance(li['label'], str) and COLOR.match(li['color'])):
            bad.append('legendItems: %r' % li)
    if 'metadata' in layer:
        metadata(layer['metadata'], 'layer', bad)
    techs = layer.get('techniques', [])
    if not isinstance(techs, list):
        return bad + ['techniques: not a list']
    seen = set()
    for t in techs:
        if not isinstance(t, dict):
            bad.append('technique is not an object: %r' % t)
            continue
        tid = t.get('techniqueID')
        w = 'technique %r' % tid
        if not isinstance(tid, str) or not TECH.match(tid):
            bad.append('%s: techniqueID must be T#### or T####.###' % w)
        key = (tid, t.get('tactic'))
        if key in seen:
            bad.append('%s: listed twice' % w)
        seen.add(key)
        for k in t:
            if k not in TECH_KEYS:
                bad.append('%s: unknown field %r' % (w, k))
        if 'tactic' in t and t['tactic'] not in TACTICS:
            bad.append('%s: tactic %r' % (w, t['tactic']))
        if 'score' in t and (isinstance(t['score'], bool) or
                             not isinstance(t['score'], (int, float))):
            bad.append('%s: score is not a number' % w)
        if 'color' in t and not (isinstance(t['color'], str) and COLOR.match(t['color'])):
            bad.append('%s: color %r' % (w, t['color']))
        for k in ('comment',):
            if k in t and not isinstance(t[k], str):
                bad.append('%s: %s is not a string' % (w, k))
        for k in ('enabled', 'showSubtechniques'):
            if k in t and not isinstance(t[k], bool):
                bad.append('%s: %s is not a boolean' % (w, k))
        if 'metadata' in t:
            metadata(t['metadata'], w, bad)
    return bad


def main(paths):
    nbad = 0
    for p in paths:
        try:
            with open(p, encoding='utf-8') as f:
                layer = json.load(f)
        except (OSError, ValueError) as e:
            print('%s: %s' % (p, e))
            nbad += 1
            continue
        for b in check(layer):
            print('%s: %s' % (p, b))
            nbad += 1
    return 1 if nbad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
