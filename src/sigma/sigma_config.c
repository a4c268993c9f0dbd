/*
 * Sigma logsource mapping: the built-in default (SigmaHQ tests/thor.yml semantics plus
 * Security 4657/4688 rewrites) and the loader for override files in the same format.
 *
 * Format (thor.yml): logsources: <name>: {category, product, service, conditions: {EventID: n
 * or [n...], Field: value or [values]}, rewrite: {product, service}, sources:
 * ["WinEventLog:<channel>"], fieldmappings: {RuleField: EventField}} plus reghunt's
 * `transform: security_4657` (computes Sysmon-style TargetObject/Details/Image/EventType from a
 * Security 4657 event) and a top-level `placeholders: {name: [values]}` for `expand`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sigma_internal.h"

/* The default mapping: written from SigmaHQ's tests/thor.yml (category -> Sysmon event ids,
 * service -> channels), extended with Security 4657 (registry_*), Security 4688 field
 * rewrites and the services SigmaHQ's Windows rules use that thor.yml lacks (dns-server,
 * driver-framework, microsoft-servicebus-client). docs/sigma-support.md lists it as a table. */
const char sigma_default_config[] =
    "logsources:\n"
    "  process_creation_1:\n"
    "    category: process_creation\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 1\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  file_change_2:\n"
    "    category: file_change\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 2\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  network_connection_3:\n"
    "    category: network_connection\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 3\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  sysmon_status_4:\n"
    "    category: sysmon_status\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 4\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  sysmon_status_16:\n"
    "    category: sysmon_status\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 16\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  process_termination_5:\n"
    "    category: process_termination\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 5\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  driver_load_6:\n"
    "    category: driver_load\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 6\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  image_load_7:\n"
    "    category: image_load\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 7\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  create_remote_thread_8:\n"
    "    category: create_remote_thread\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 8\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  raw_access_thread_9:\n"
    "    category: raw_access_thread\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 9\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  process_access_10:\n"
    "    category: process_access\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 10\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  file_event_11:\n"
    "    category: file_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 11\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_event_12:\n"
    "    category: registry_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 12\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_event_13:\n"
    "    category: registry_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 13\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_event_14:\n"
    "    category: registry_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 14\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  create_stream_hash_15:\n"
    "    category: create_stream_hash\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 15\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  pipe_created_17:\n"
    "    category: pipe_created\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 17\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  pipe_created_18:\n"
    "    category: pipe_created\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 18\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  wmi_event_19:\n"
    "    category: wmi_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 19\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  wmi_event_20:\n"
    "    category: wmi_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 20\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  wmi_event_21:\n"
    "    category: wmi_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 21\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  dns_query_22:\n"
    "    category: dns_query\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 22\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  file_delete_23:\n"
    "    category: file_delete\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 23\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  clipboard_change_24:\n"
    "    category: clipboard_change\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 24\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  process_tampering_25:\n"
    "    category: process_tampering\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 25\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  file_delete_detected_26:\n"
    "    category: file_delete_detected\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 26\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  file_block_executable_27:\n"
    "    category: file_block_executable\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 27\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  file_block_shredding_28:\n"
    "    category: file_block_shredding\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 28\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  file_executable_detected_29:\n"
    "    category: file_executable_detected\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 29\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  sysmon_error_255:\n"
    "    category: sysmon_error\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 255\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_add:\n"
    "    category: registry_add\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 12\n"
    "      EventType: CreateKey\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_delete_key:\n"
    "    category: registry_delete\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 12\n"
    "      EventType: DeleteKey\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_delete_value:\n"
    "    category: registry_delete\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 12\n"
    "      EventType: DeleteValue\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_set:\n"
    "    category: registry_set\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 13\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_rename:\n"
    "    category: registry_rename\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 14\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: sysmon\n"
    "  registry_set_4657:\n"
    "    category: registry_set\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 4657\n"
    "      EventType: SetValue\n"
    "    transform: security_4657\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: security\n"
    "  registry_delete_4657:\n"
    "    category: registry_delete\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 4657\n"
    "      EventType: DeleteValue\n"
    "    transform: security_4657\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: security\n"
    "  registry_event_4657:\n"
    "    category: registry_event\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 4657\n"
    "    transform: security_4657\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: security\n"
    "  process_creation_4688:\n"
    "    category: process_creation\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 4688\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: security\n"
    "    fieldmappings:\n"
    "      Image: NewProcessName\n"
    "      ParentImage: ParentProcessName\n"
    "      ProcessId: NewProcessId\n"
    "      ParentProcessId: ProcessId\n"
    "      LogonId: SubjectLogonId\n"
    "  ps_module:\n"
    "    category: ps_module\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 4103\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: powershell\n"
    "  ps_script:\n"
    "    category: ps_script\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 4104\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: powershell\n"
    "  ps_classic_start:\n"
    "    category: ps_classic_start\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 400\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: powershell-classic\n"
    "  ps_classic_provider_start:\n"
    "    category: ps_classic_provider_start\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 600\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: powershell-classic\n"
    "  ps_classic_script:\n"
    "    category: ps_classic_script\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: 800\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: powershell-classic\n"
    "  antivirus:\n"
    "    category: antivirus\n"
    "    product: windows\n"
    "    conditions:\n"
    "      EventID: [1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116]\n"
    "    rewrite:\n"
    "      product: windows\n"
    "      service: windefend\n"
    "    fieldmappings:\n"
    "      Signature: ThreatName\n"
    "      Filename: Path\n"
    "  windows-application:\n"
    "    product: windows\n"
    "    service: application\n"
    "    sources:\n"
    "      - 'WinEventLog:Application'\n"
    "  windows-security:\n"
    "    product: windows\n"
    "    service: security\n"
    "    sources:\n"
    "      - 'WinEventLog:Security'\n"
    "  windows-system:\n"
    "    product: windows\n"
    "    service: system\n"
    "    sources:\n"
    "      - 'WinEventLog:System'\n"
    "  windows-ntlm:\n"
    "    product: windows\n"
    "    service: ntlm\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-NTLM/Operational'\n"
    "  windows-sysmon:\n"
    "    product: windows\n"
    "    service: sysmon\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Sysmon/Operational'\n"
    "  windows-powershell:\n"
    "    product: windows\n"
    "    service: powershell\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-PowerShell/Operational'\n"
    "      - 'WinEventLog:PowerShellCore/Operational'\n"
    "  windows-powershell-classic:\n"
    "    product: windows\n"
    "    service: powershell-classic\n"
    "    sources:\n"
    "      - 'WinEventLog:Windows PowerShell'\n"
    "  windows-taskscheduler:\n"
    "    product: windows\n"
    "    service: taskscheduler\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-TaskScheduler/Operational'\n"
    "  windows-wmi:\n"
    "    product: windows\n"
    "    service: wmi\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-WMI-Activity/Operational'\n"
    "  windows-dhcp:\n"
    "    product: windows\n"
    "    service: dhcp\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-DHCP-Server/Operational'\n"
    "  windows-printservice-admin:\n"
    "    product: windows\n"
    "    service: printservice-admin\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-PrintService/Admin'\n"
    "  windows-printservice-operational:\n"
    "    product: windows\n"
    "    service: printservice-operational\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-PrintService/Operational'\n"
    "  windows-smbclient-security:\n"
    "    product: windows\n"
    "    service: smbclient-security\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-SmbClient/Security'\n"
    "  windows-smbclient-connectivity:\n"
    "    product: windows\n"
    "    service: smbclient-connectivity\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-SmbClient/Connectivity'\n"
    "  windows-smbserver-connectivity:\n"
    "    product: windows\n"
    "    service: smbserver-connectivity\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-SMBServer/Connectivity'\n"
    "  windows-terminalservices-localsessionmanager:\n"
    "    product: windows\n"
    "    service: terminalservices-localsessionmanager\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'\n"
    "  windows-codeintegrity-operational:\n"
    "    product: windows\n"
    "    service: codeintegrity-operational\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-CodeIntegrity/Operational'\n"
    "  windows-applocker:\n"
    "    product: windows\n"
    "    service: applocker\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-AppLocker/MSI and Script'\n"
    "      - 'WinEventLog:Microsoft-Windows-AppLocker/EXE and DLL'\n"
    "      - 'WinEventLog:Microsoft-Windows-AppLocker/Packaged app-Deployment'\n"
    "      - 'WinEventLog:Microsoft-Windows-AppLocker/Packaged app-Execution'\n"
    "  windows-msexchange-management:\n"
    "    product: windows\n"
    "    service: msexchange-management\n"
    "    sources:\n"
    "      - 'WinEventLog:MSExchange Management'\n"
    "  windows-windefend:\n"
    "    product: windows\n"
    "    service: windefend\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Windows Defender/Operational'\n"
    "  windows-firewall-as:\n"
    "    product: windows\n"
    "    service: firewall-as\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'\n"
    "  windows-bits-client:\n"
    "    product: windows\n"
    "    service: bits-client\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Bits-Client/Operational'\n"
    "  windows-security-mitigations:\n"
    "    product: windows\n"
    "    service: security-mitigations\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Security-Mitigations/Kernel Mode'\n"
    "      - 'WinEventLog:Microsoft-Windows-Security-Mitigations/User Mode'\n"
    "  windows-diagnosis-scripted:\n"
    "    product: windows\n"
    "    service: diagnosis-scripted\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Diagnosis-Scripted/Operational'\n"
    "  windows-shell-core:\n"
    "    product: windows\n"
    "    service: shell-core\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Shell-Core/Operational'\n"
    "  windows-openssh:\n"
    "    product: windows\n"
    "    service: openssh\n"
    "    sources:\n"
    "      - 'WinEventLog:OpenSSH/Operational'\n"
    "  windows-ldap:\n"
    "    product: windows\n"
    "    service: ldap\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-LDAP-Client/Debug'\n"
    "  windows-bitlocker:\n"
    "    product: windows\n"
    "    service: bitlocker\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-BitLocker/BitLocker Management'\n"
    "  windows-vhdmp:\n"
    "    product: windows\n"
    "    service: vhdmp\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-VHDMP/Operational'\n"
    "  windows-appxdeployment-server:\n"
    "    product: windows\n"
    "    service: appxdeployment-server\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-AppXDeploymentServer/Operational'\n"
    "  windows-lsa-server:\n"
    "    product: windows\n"
    "    service: lsa-server\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-LSA/Operational'\n"
    "  windows-appxpackaging-om:\n"
    "    product: windows\n"
    "    service: appxpackaging-om\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-AppxPackaging/Operational'\n"
    "  windows-dns-client:\n"
    "    product: windows\n"
    "    service: dns-client\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-DNS Client Events/Operational'\n"
    "  windows-dns-server:\n"
    "    product: windows\n"
    "    service: dns-server\n"
    "    sources:\n"
    "      - 'WinEventLog:DNS Server'\n"
    "      - 'WinEventLog:Microsoft-Windows-DNSServer/Audit'\n"
    "  windows-appmodel-runtime:\n"
    "    product: windows\n"
    "    service: appmodel-runtime\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-AppModel-Runtime/Admin'\n"
    "  windows-capi2:\n"
    "    product: windows\n"
    "    service: capi2\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-CAPI2/Operational'\n"
    "  windows-certificateservicesclient-lifecycle-system:\n"
    "    product: windows\n"
    "    service: certificateservicesclient-lifecycle-system\n"
    "    sources:\n"
    "      - "
    "'WinEventLog:Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational'\n"
    "  windows-kernel-shimengine:\n"
    "    product: windows\n"
    "    service: kernel-shimengine\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Kernel-ShimEngine/Operational'\n"
    "      - 'WinEventLog:Microsoft-Windows-Kernel-ShimEngine/Diagnostic'\n"
    "  windows-application-experience:\n"
    "    product: windows\n"
    "    service: application-experience\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Application-Experience/Program-Telemetry'\n"
    "      - "
    "'WinEventLog:Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant'\n"
    "  windows-ntfs:\n"
    "    product: windows\n"
    "    service: ntfs\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Ntfs/Operational'\n"
    "  windows-hyper-v-worker:\n"
    "    product: windows\n"
    "    service: hyper-v-worker\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Hyper-V-Worker'\n"
    "  windows-kernel-event-tracing:\n"
    "    product: windows\n"
    "    service: kernel-event-tracing\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-Kernel-EventTracing'\n"
    "  windows-sense:\n"
    "    product: windows\n"
    "    service: sense\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-SENSE/Operational'\n"
    "  windows-servicebus-client:\n"
    "    product: windows\n"
    "    service: servicebus-client\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-ServiceBus-Client/Admin'\n"
    "      - 'WinEventLog:Microsoft-ServiceBus-Client/Operational'\n"
    "  windows-microsoft-servicebus-client:\n"
    "    product: windows\n"
    "    service: microsoft-servicebus-client\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-ServiceBus-Client/Admin'\n"
    "      - 'WinEventLog:Microsoft-ServiceBus-Client/Operational'\n"
    "  windows-iis-configuration:\n"
    "    product: windows\n"
    "    service: iis-configuration\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-IIS-Configuration/Operational'\n"
    "  windows-driver-framework:\n"
    "    product: windows\n"
    "    service: driver-framework\n"
    "    sources:\n"
    "      - 'WinEventLog:Microsoft-Windows-DriverFrameworks-UserMode/Operational'\n";

static char *cdup(rh_sigma_config *cfg, const char *s)
{
    return s ? rh_strdup(cfg->ctx, s) : NULL;
}

static void entry_free(rh_ctx *ctx, struct sigma_cfg_entry *e)
{
    size_t i, j;
    rh_free(ctx, e->name);
    rh_free(ctx, e->category);
    rh_free(ctx, e->product);
    rh_free(ctx, e->service);
    rh_free(ctx, e->rewrite_product);
    rh_free(ctx, e->rewrite_service);
    rh_free(ctx, e->eids);
    for (i = 0; i < e->nconds; i++) {
        rh_free(ctx, e->conds[i].field);
        for (j = 0; j < e->conds[i].nvalues; j++) {
            rh_free(ctx, e->conds[i].values[j]);
        }
        rh_free(ctx, e->conds[i].values);
    }
    rh_free(ctx, e->conds);
    for (i = 0; i < e->nsources; i++) {
        rh_free(ctx, e->sources[i]);
    }
    rh_free(ctx, e->sources);
    for (i = 0; i < e->nfm; i++) {
        rh_free(ctx, e->fm_from[i]);
        rh_free(ctx, e->fm_to[i]);
    }
    rh_free(ctx, e->fm_from);
    rh_free(ctx, e->fm_to);
    memset(e, 0, sizeof(*e));
}

static void entries_clear(rh_sigma_config *cfg)
{
    size_t i;
    for (i = 0; i < cfg->n; i++) {
        entry_free(cfg->ctx, &cfg->entries[i]);
    }
    cfg->n = 0;
}

void rh_sigma_config_free(rh_sigma_config *cfg)
{
    size_t i, j;
    if (!cfg) {
        return;
    }
    entries_clear(cfg);
    rh_free(cfg->ctx, cfg->entries);
    for (i = 0; i < cfg->nph; i++) {
        rh_free(cfg->ctx, cfg->ph[i].name);
        for (j = 0; j < cfg->ph[i].n; j++) {
            rh_free(cfg->ctx, cfg->ph[i].values[j]);
        }
        rh_free(cfg->ctx, cfg->ph[i].values);
    }
    rh_free(cfg->ctx, cfg->ph);
    rh_free(cfg->ctx, cfg);
}

/* Strings of a scalar or a list of scalars, duplicated. -1 on OOM or bad shape. */
static int str_list(rh_sigma_config *cfg, const struct ynode *n, char ***out, size_t *nout)
{
    size_t i, cnt = n->kind == YN_SCALAR ? 1 : n->n;
    *out = NULL;
    *nout = 0;
    if (n->kind == YN_MAP) {
        return -1;
    }
    *out = rh_calloc(cfg->ctx, cnt ? cnt : 1, sizeof(char *));
    if (!*out) {
        return -1;
    }
    for (i = 0; i < cnt; i++) {
        const struct ynode *k = n->kind == YN_SCALAR ? n : n->kids[i];
        if (k->kind == YN_SCALAR) {
            (*out)[i] = cdup(cfg, k->s);
        }
        if (!(*out)[i]) {
            size_t j;
            for (j = 0; j < i; j++) {
                rh_free(cfg->ctx, (*out)[j]);
            }
            rh_free(cfg->ctx, *out);
            *out = NULL;
            *nout = 0;
            return -1;
        }
        (*nout)++;
    }
    return 0;
}

rh_status rh_sigma_config_add_placeholder(rh_sigma_config *cfg, const char *name, const char *value)
{
    struct sigma_placeholder *p = NULL;
    size_t i;
    char **t;
    for (i = 0; i < cfg->nph; i++) {
        if (strcmp(cfg->ph[i].name, name) == 0) {
            p = &cfg->ph[i];
        }
    }
    if (!p) {
        if (cfg->nph == cfg->capph) {
            size_t ncap = cfg->capph ? cfg->capph * 2 : 8;
            struct sigma_placeholder *np = rh_realloc(cfg->ctx, cfg->ph, ncap * sizeof(*np));
            if (!np) {
                return RH_ERR_NOMEM;
            }
            cfg->ph = np;
            cfg->capph = ncap;
        }
        p = &cfg->ph[cfg->nph];
        memset(p, 0, sizeof(*p));
        p->name = cdup(cfg, name);
        if (!p->name) {
            return RH_ERR_NOMEM;
        }
        cfg->nph++;
    }
    t = rh_realloc(cfg->ctx, p->values, (p->n + 1) * sizeof(*t));
    if (!t) {
        return RH_ERR_NOMEM;
    }
    p->values = t;
    p->values[p->n] = cdup(cfg, value);
    if (!p->values[p->n]) {
        return RH_ERR_NOMEM;
    }
    p->n++;
    return RH_OK;
}

const struct sigma_placeholder *sigma_config_placeholder(const rh_sigma_config *cfg,
                                                         const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < cfg->nph; i++) {
        if (strlen(cfg->ph[i].name) == len && memcmp(cfg->ph[i].name, name, len) == 0) {
            return &cfg->ph[i];
        }
    }
    return NULL;
}

static rh_status cfg_err(rh_sigma_config *cfg, const char *name, const struct ynode *at,
                         const char *msg)
{
    rh_diag_at(cfg->ctx, RH_DIAG_ERROR, "sigma", name, at ? at->line : 0, at ? at->col : 0,
               "config: %s", msg);
    return RH_ERR_RULE;
}

static rh_status parse_entry(rh_sigma_config *cfg, const char *name, const struct ynode *key,
                             const struct ynode *v, struct sigma_cfg_entry *e)
{
    const struct ynode *n;
    size_t i;
    if (v->kind != YN_MAP) {
        return cfg_err(cfg, name, v, "logsource entry is not a mapping");
    }
    e->name = cdup(cfg, key->s);
#define SCAL(field, k)                                                                             \
    do {                                                                                           \
        n = ynode_get(v, k);                                                                       \
        if (n && n->kind == YN_SCALAR && !ynode_is_null(n)) {                                      \
            e->field = cdup(cfg, n->s);                                                            \
            if (!e->field) {                                                                       \
                return RH_ERR_NOMEM;                                                               \
            }                                                                                      \
        }                                                                                          \
    } while (0)
    SCAL(category, "category");
    SCAL(product, "product");
    SCAL(service, "service");
    n = ynode_get(v, "rewrite");
    if (n && n->kind == YN_MAP) {
        const struct ynode *m = n;
        n = ynode_get(m, "product");
        if (n && n->kind == YN_SCALAR) {
            e->rewrite_product = cdup(cfg, n->s);
        }
        n = ynode_get(m, "service");
        if (n && n->kind == YN_SCALAR) {
            e->rewrite_service = cdup(cfg, n->s);
        }
    }
#undef SCAL
    n = ynode_get(v, "transform");
    if (n) {
        if (n->kind == YN_SCALAR && strcmp(n->s, "security_4657") == 0) {
            e->transform = SIGMA_TX_SEC4657;
        } else {
            return cfg_err(cfg, name, n, "unknown transform (known: security_4657)");
        }
    }
    n = ynode_get(v, "sources");
    if (n && str_list(cfg, n, &e->sources, &e->nsources) < 0) {
        return cfg_err(cfg, name, n, "bad 'sources'");
    }
    n = ynode_get(v, "conditions");
    if (n && n->kind == YN_MAP) {
        e->conds = rh_calloc(cfg->ctx, n->n ? n->n : 1, sizeof(*e->conds));
        if (!e->conds) {
            return RH_ERR_NOMEM;
        }
        for (i = 0; i < n->n; i++) {
            const struct ynode *k = n->kids[2 * i], *val = n->kids[2 * i + 1];
            char **vals;
            size_t nvals, j;
            if (str_list(cfg, val, &vals, &nvals) < 0) {
                return cfg_err(cfg, name, val, "bad condition value");
            }
            if (strcmp(k->s, "EventID") == 0) {
                e->eids = rh_calloc(cfg->ctx, nvals ? nvals : 1, sizeof(uint32_t));
                if (!e->eids) {
                    for (j = 0; j < nvals; j++) {
                        rh_free(cfg->ctx, vals[j]);
                    }
                    rh_free(cfg->ctx, vals);
                    return RH_ERR_NOMEM;
                }
                for (j = 0; j < nvals; j++) {
                    char *end;
                    unsigned long x = strtoul(vals[j], &end, 10);
                    if (*end || x > UINT32_MAX) {
                        size_t q;
                        for (q = 0; q < nvals; q++) {
                            rh_free(cfg->ctx, vals[q]);
                        }
                        rh_free(cfg->ctx, vals);
                        return cfg_err(cfg, name, val, "EventID is not a number");
                    }
                    e->eids[e->neids++] = (uint32_t)x;
                    rh_free(cfg->ctx, vals[j]);
                }
                rh_free(cfg->ctx, vals);
            } else {
                e->conds[e->nconds].field = cdup(cfg, k->s);
                e->conds[e->nconds].values = vals;
                e->conds[e->nconds].nvalues = nvals;
                e->nconds++;
                if (!e->conds[e->nconds - 1].field) {
                    return RH_ERR_NOMEM;
                }
            }
        }
    }
    n = ynode_get(v, "fieldmappings");
    if (n && n->kind == YN_MAP && n->n) {
        e->fm_from = rh_calloc(cfg->ctx, n->n, sizeof(char *));
        e->fm_to = rh_calloc(cfg->ctx, n->n, sizeof(char *));
        if (!e->fm_from || !e->fm_to) {
            return RH_ERR_NOMEM;
        }
        for (i = 0; i < n->n; i++) {
            const struct ynode *k = n->kids[2 * i], *val = n->kids[2 * i + 1];
            /* A list of targets: the first one is used (docs/sigma-support.md). */
            const struct ynode *t = val->kind == YN_SEQ && val->n ? val->kids[0] : val;
            if (t->kind != YN_SCALAR) {
                return cfg_err(cfg, name, val, "bad fieldmapping");
            }
            e->fm_from[e->nfm] = cdup(cfg, k->s);
            e->fm_to[e->nfm] = cdup(cfg, t->s);
            e->nfm++;
            if (!e->fm_from[e->nfm - 1] || !e->fm_to[e->nfm - 1]) {
                return RH_ERR_NOMEM;
            }
        }
    }
    return RH_OK;
}

rh_status sigma_config_parse(rh_sigma_config *cfg, const char *name, const char *text, size_t len,
                             bool replace)
{
    struct sigma_arena a;
    struct ynode **docs;
    size_t ndocs, i, j;
    int el, ec;
    char err[256];
    rh_status st;
    const struct ynode *ls, *ph;
    (void)replace;
    sigma_arena_init(&a, cfg->ctx);
    st = sigma_yaml_parse(cfg->ctx, &a, name, text, len, rh_ctx_limits(cfg->ctx)->max_xml_depth,
                          &docs, &ndocs, &el, &ec, err, sizeof(err));
    if (st != RH_OK) {
        sigma_arena_free(&a);
        return st;
    }
    if (ndocs != 1 || docs[0]->kind != YN_MAP) {
        st = cfg_err(cfg, name, ndocs ? docs[0] : NULL, "config must be one YAML mapping");
        sigma_arena_free(&a);
        return st;
    }
    ls = ynode_get(docs[0], "logsources");
    if (ls && ls->kind == YN_MAP) {
        entries_clear(cfg);
        if (ls->n > cfg->cap) {
            struct sigma_cfg_entry *t = rh_realloc(cfg->ctx, cfg->entries, ls->n * sizeof(*t));
            if (!t) {
                sigma_arena_free(&a);
                return RH_ERR_NOMEM;
            }
            cfg->entries = t;
            cfg->cap = ls->n;
        }
        for (i = 0; i < ls->n; i++) {
            memset(&cfg->entries[cfg->n], 0, sizeof(cfg->entries[0]));
            cfg->n++;
            st = parse_entry(cfg, name, ls->kids[2 * i], ls->kids[2 * i + 1],
                             &cfg->entries[cfg->n - 1]);
            if (st != RH_OK) {
                sigma_arena_free(&a);
                return st;
            }
        }
    } else if (ls) {
        st = cfg_err(cfg, name, ls, "'logsources' is not a mapping");
        sigma_arena_free(&a);
        return st;
    }
    ph = ynode_get(docs[0], "placeholders");
    if (ph && ph->kind == YN_MAP) {
        for (i = 0; i < ph->n && st == RH_OK; i++) {
            const struct ynode *k = ph->kids[2 * i], *v = ph->kids[2 * i + 1];
            if (v->kind == YN_SCALAR) {
                st = rh_sigma_config_add_placeholder(cfg, k->s, v->s);
            } else if (v->kind == YN_SEQ) {
                for (j = 0; j < v->n && st == RH_OK; j++) {
                    if (v->kids[j]->kind == YN_SCALAR) {
                        st = rh_sigma_config_add_placeholder(cfg, k->s, v->kids[j]->s);
                    }
                }
            }
        }
    }
    sigma_arena_free(&a);
    return st;
}

rh_status rh_sigma_config_default(rh_ctx *ctx, rh_sigma_config **out)
{
    rh_sigma_config *cfg;
    rh_status st;
    *out = NULL;
    cfg = rh_calloc(ctx, 1, sizeof(*cfg));
    if (!cfg) {
        return RH_ERR_NOMEM;
    }
    cfg->ctx = ctx;
    st = sigma_config_parse(cfg, "(built-in sigma config)", sigma_default_config,
                            strlen(sigma_default_config), true);
    if (st != RH_OK) {
        rh_sigma_config_free(cfg);
        return st == RH_ERR_NOMEM ? st : RH_ERR_NOMEM;
    }
    *out = cfg;
    return RH_OK;
}

rh_status rh_sigma_config_load_mem(rh_sigma_config *cfg, const char *name, const char *text,
                                   size_t len)
{
    return sigma_config_parse(cfg, name, text, len, true);
}

rh_status rh_sigma_config_load(rh_sigma_config *cfg, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    rh_status st = rh_read_file(cfg->ctx, path, 16u << 20, &data, &len);
    if (st != RH_OK) {
        return st;
    }
    st = sigma_config_parse(cfg, path, (const char *)data, len, true);
    rh_free(cfg->ctx, data);
    return st;
}
