#!/usr/bin/env node
// Parses every KQL query of reghunt hunt packs (JSON: {"queries":[{"backend","id","query"}]})
// with Microsoft's Kusto language service (@kusto/language-service-next) against the
// DeviceRegistryEvents schema (Defender docs) and the ASIM imRegistry columns, and reports
// every diagnostic. Usage: node kql_check.js PACK.json... Exit 0 when every query parses and
// binds without an error, 1 otherwise, 77 when node_modules is missing (run scripts/install-deps).
'use strict';
const fs = require('fs');
const path = require('path');

const mod = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
if (!fs.existsSync(mod)) {
    console.log('kql_check: skipped: ' + mod + ' is missing (scripts/install-deps installs it)');
    process.exit(77);
}
require(path.join(mod, 'bridge.js'));
require(mod);
const K = Kusto.Language;
const S = K.Symbols;

// DeviceRegistryEvents: MicrosoftDocs/defender-docs advanced-hunting-deviceregistryevents-table.md
const mde = '(Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, ' +
    'RegistryKey:string, RegistryValueType:string, RegistryValueName:string, ' +
    'RegistryValueData:string, PreviousRegistryKey:string, PreviousRegistryValueName:string, ' +
    'PreviousRegistryValueData:string, InitiatingProcessAccountDomain:string, ' +
    'InitiatingProcessAccountName:string, InitiatingProcessAccountSid:string, ' +
    'InitiatingProcessAccountUpn:string, InitiatingProcessAccountObjectId:string, ' +
    'InitiatingProcessSHA1:string, InitiatingProcessSHA256:string, InitiatingProcessMD5:string, ' +
    'InitiatingProcessFileName:string, InitiatingProcessFileSize:long, ' +
    'InitiatingProcessVersionInfoCompanyName:string, InitiatingProcessVersionInfoProductName:string, ' +
    'InitiatingProcessVersionInfoProductVersion:string, ' +
    'InitiatingProcessVersionInfoInternalFileName:string, ' +
    'InitiatingProcessVersionInfoOriginalFileName:string, ' +
    'InitiatingProcessVersionInfoFileDescription:string, InitiatingProcessId:long, ' +
    'InitiatingProcessCommandLine:string, InitiatingProcessCreationTime:datetime, ' +
    'InitiatingProcessFolderPath:string, InitiatingProcessParentId:long, ' +
    'InitiatingProcessParentFileName:string, InitiatingProcessParentCreationTime:datetime, ' +
    'InitiatingProcessIntegrityLevel:string, InitiatingProcessTokenElevation:string, ' +
    'ReportId:long, AppGuardContainerId:string, InitiatingProcessSessionId:long, ' +
    'IsInitiatingProcessRemoteSession:bool, InitiatingProcessRemoteSessionDeviceName:string, ' +
    'InitiatingProcessRemoteSessionIP:string)';
// ASIM registry event schema (Azure-Sentinel ASimRegistryEvent): the columns reghunt uses
const asim = '(TimeGenerated:datetime, EventType:string, EventResult:string, ' +
    'DvcHostname:string, RegistryKey:string, RegistryValue:string, RegistryValueType:string, ' +
    'RegistryValueData:string, RegistryPreviousKey:string, RegistryPreviousValue:string, ' +
    'RegistryPreviousValueType:string, RegistryPreviousValueData:string, ' +
    'ActorUsername:string, ActingProcessName:string, ActingProcessId:string, ' +
    'ActingProcessGuid:string)';
const tables = [new S.TableSymbol.$ctor7('DeviceRegistryEvents', mde, null),
                new S.TableSymbol.$ctor7('imRegistry', asim, null)];
const db = new S.DatabaseSymbol.$ctor3('hunt', null, System.Array.init(tables, S.Symbol), false);
const globals = K.GlobalState.Default.WithDatabase(db);

let pass = 0, fail = 0;
for (const file of process.argv.slice(2)) {
    const pack = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const q of pack.queries) {
        if (q.backend !== 'kql-mde' && q.backend !== 'kql-sentinel') {
            continue;
        }
        const code = K.KustoCode.ParseAndAnalyze(q.query, globals);
        const d = code.GetDiagnostics();
        let errors = 0;
        for (let i = 0; i < d.Count; i++) {
            const x = d.getItem(i);
            if (x.Severity === 'Error') {
                errors++;
                console.log(`${file}: ${q.backend} ${q.id}: ${x.Code} ${x.Message} at ${x.Start}: ` +
                            JSON.stringify(q.query.substr(Math.max(0, x.Start - 40), 80)));
            }
        }
        const tab = q.backend === 'kql-mde' ? 'DeviceRegistryEvents' : 'imRegistry';
        if (!q.query.startsWith(tab + '\n')) {
            errors++;
            console.log(`${file}: ${q.backend} ${q.id}: does not start with ${tab}`);
        }
        if (errors) {
            fail++;
        } else {
            pass++;
        }
    }
}
if (pass + fail === 0) {
    console.log('kql_check: no KQL query found');
    process.exit(1);
}
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
