#!/bin/sh
# contrib/velociraptor: each artifact is valid YAML with the fields Velociraptor's artifact
# schema and the exchange's third-party tool convention need (name, description, type,
# tools: entry, EXECVE permission, typed parameters with valid defaults, a source query that
# fetches the tool, execve's it, parse_jsonl's its output and uploads the report), and the
# reghunt command line the query builds (ReghuntArgs) runs with our CLI on the demo collection
# and gives hunt JSONL with host records. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
python3 -c 'import yaml' 2>/dev/null || { echo "python3-yaml missing (scripts/install-deps)"; exit 77; }
[ -d "$BUILD/demo/collection" ] || { echo "demo collection missing"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 - "$RH" "$SRC/contrib/velociraptor" "$BUILD/demo/collection" "$TMP" <<'PY'
import glob, json, os, re, subprocess, sys, yaml
rh, folder, demo, tmp = sys.argv[1:5]
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
TYPES = {"CLIENT", "CLIENT_EVENT", "SERVER", "SERVER_EVENT", "INTERNAL"}
PTYPES = {"", "string", "int", "bool", "choices", "csv", "regex", "hidden", "upload", "timestamp"}
files = sorted(glob.glob(os.path.join(folder, "*.yaml")))
check(len(files) == 2, "two artifacts, found %d" % len(files))
kinds = set()
for path in files:
    name = os.path.basename(path)
    try:
        a = yaml.safe_load(open(path, encoding="utf-8"))
    except yaml.YAMLError as e:
        check(False, "%s: not YAML: %s" % (name, e)); continue
    check(isinstance(a, dict), name + ": not a mapping")
    check(a.get("name") + ".yaml" == name, name + ": name does not match the file")
    check(bool(a.get("description")), name + ": description")
    check(a.get("type") in TYPES, name + ": type")
    kinds.add(a.get("type"))
    perms = (a.get("required_permissions") or []) + (a.get("implied_permissions") or [])
    check("EXECVE" in perms, name + ": EXECVE permission")
    tools = a.get("tools") or []
    check(len(tools) == 1 and tools[0].get("name"), name + ": one tools: entry with a name")
    tool = tools[0]["name"] if tools else ""
    check(set(tools[0]) <= {"name", "url", "serve_locally", "expected_hash", "version",
                            "github_project", "github_asset_regex"} if tools else False,
          name + ": tool fields")
    if a.get("type") == "CLIENT":
        check("OS = 'windows'" in (a.get("precondition") or ""), name + ": windows precondition")
    params = {}
    for p in a.get("parameters") or []:
        check("name" in p and p.get("type", "") in PTYPES, name + ": parameter %r" % p)
        if p.get("type") == "choices":
            check(p.get("default") in p.get("choices", []), name + ": %s default" % p["name"])
        if p.get("type") == "regex":
            re.compile(p.get("default", "").replace("(?i)", ""))
        params[p["name"]] = p
    srcs = a.get("sources") or []
    check(len(srcs) >= 1 and all("query" in s for s in srcs), name + ": sources with a query")
    q = "\n".join(s.get("query", "") for s in srcs)
    for need in ('FetchBinary(ToolName="%s"' % tool, "execve(argv=[bin[0].OSPath] + ReghuntArgs",
                 "parse_jsonl(filename=ResultFile)", "upload(file=ResultFile"):
        check(need in q, name + ": query lacks " + need)
    check(q.count("(") == q.count(")") and q.count("[") == q.count("]") and
          q.count("{") == q.count("}"), name + ": unbalanced brackets")
    # every parameter the query names is declared, every declared one is used
    for p in params:
        check(re.search(r"\b%s\b" % p, q), name + ": parameter %s unused" % p)
    m = re.search(r"LET ReghuntArgs = \[(.*)\]", q)
    check(m, name + ": no ReghuntArgs list")
    if not m:
        continue
    out = os.path.join(tmp, name + ".jsonl")
    values = {"HuntDir": demo, "ResultFile": out, "MinRisk": params["MinRisk"]["default"]}
    argv = []
    for tok in re.findall(r'"([^"]*)"|([A-Za-z_]\w*)', m.group(1)):
        argv.append(tok[0] if tok[0] else values[tok[1]])
    r = subprocess.run([rh] + argv, capture_output=True, text=True)
    check(r.returncode in (0, 1), name + ": reghunt %s: exit %d %s" % (argv, r.returncode, r.stderr))
    rows = [json.loads(l) for l in open(out, encoding="utf-8")] if os.path.exists(out) else []
    hosts = [x for x in rows if x.get("record") == "host"]
    finds = [x for x in rows if "location_id" in x]
    check(len(hosts) == 2 and len(finds) == 40 and all(x["total_hosts"] == 2 for x in finds),
          name + ": hunt JSONL: %d host records, %d findings" % (len(hosts), len(finds)))
    # what the artifact uploads stacks
    r = subprocess.run([rh, "stack", out, "-f", "jsonl"], capture_output=True, text=True)
    check(r.returncode == 1 and all(json.loads(l)["total_hosts"] == 2 for l in r.stdout.splitlines()),
          name + ": reghunt stack of the upload")
check(kinds == {"CLIENT", "SERVER"}, "a client and a server artifact: %s" % kinds)
print("velociraptor_artifacts: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
