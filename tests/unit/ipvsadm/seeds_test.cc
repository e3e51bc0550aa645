// Every ipvsadm command line of the seed articles (/work/shared/seeds/*.txt), parsed.
//
// Each entry keeps the line exactly as printed in the article ("where" is file:line) and the
// argv ipvsadm receives from a shell: the prompt and "ipvsadm" itself removed, shell comments
// ("# ...") and redirections ("> f", ">> f", "< f", "&> /dev/null", "| grep ...") removed, as
// the shell removes them, and script variables replaced by the values the script assigns. No
// host name in the seeds needs resolution; the resolver is empty, so nothing touches DNS.
//
// Most lines are accepted. The articles were copied from web pages, some through OCR, and a
// few lines are genuinely invalid as printed; each such entry says why, and expects exactly
// what ipvsadm prints and returns for it.
//
// Not included (not command lines): grammar synopses and prose that merely mention options
// (000:52 "ipvsadm -C,清除策略,如:", 000:65, 000:98, 001:134, 001:143, 001:147, 004:224,
// 004:229-239, 004:246-254, 004:277-285), "yum install ipvsadm -y" (002:238, a yum command),
// and 000:818 "ipvsadm -a -t ${vip):${port} ...", which bash rejects ("bad substitution")
// before ipvsadm could run.
#include <optional>

#include <doctest/doctest.h>

#include "cli_test_support.h"

using namespace uvs::ipvsadm;
using namespace uvs::ipvsadm::testing;

namespace {

struct SeedLine {
  const char* where;
  const char* literal;  // as printed in the seed
  const char* args;     // what the shell hands to ipvsadm
  std::optional<CommandKind> kind;
  const char* error = "";  // for rejected lines: stderr and exit status
  int exit_code = 0;
};

SeedLine ok(const char* where, const char* literal, const char* args, CommandKind kind) {
  return {where, literal, args, kind};
}

SeedLine bad(const char* where, const char* literal, const char* args, const char* err, int code) {
  return {where, literal, args, std::nullopt, err, code};
}

constexpr const char* kTryHelp = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n";

using K = CommandKind;

const SeedLine kSeeds[] = {
    // --- 000: centos7 NAT / DR walkthrough ------------------------------------------------
    ok("000:54", "[root@centos7 ~]#ipvsadm -C", "-C", K::kClear),
    ok("000:56", "[ root@centos7 ~] #ipvsadm -Ln", "-Ln", K::kList),
    ok("000:67", "[ root@centos7 ~]#ipvsadm -Ln --stats", "-Ln --stats", K::kList),
    ok("000:81", "[ root@centos7 ~ ] #ipvsadm -Z", "-Z", K::kZero),
    ok("000:83", "[ root@centos7 ~]#ipvsadm -Ln --stats", "-Ln --stats", K::kList),
    ok("000:108", "[ root@centos7 ~ ] #ipvsadm -L", "-L", K::kList),
    ok("000:122", "[ root@centos7 ~] #ipvsadm -Ln", "-Ln", K::kList),
    ok("000:140", "[ root@centos7 -]#ipvsadm -Ln --stats", "-Ln --stats", K::kList),
    ok("000:160", "[ root@centos7 ~]#ipvsadm -Ln --stats", "-Ln --stats", K::kList),
    // OCR split "--rate": "--" ends the options, so "rate" is a stray argument.
    bad("000:182",
        "[ root@centos7 -]#ipvsadm -Ln -- rate",
        "-Ln -- rate",
        "unexpected argument rate\n",
        2),
    ok("000:229",
       "[ root@centos7 ~]#ipvsadm -A -t 172.20.0.200:80",
       "-A -t 172.20.0.200:80",
       K::kAddService),
    ok("000:231",
       "[root@centos7~]#ipvsadm -a -t 172.20.0.200:80 -r 192.168.30.17:8080 -m -w 3",
       "-a -t 172.20.0.200:80 -r 192.168.30.17:8080 -m -w 3",
       K::kAddDest),
    ok("000:233",
       "[root@centos7~]#ipvsadm -a -t 172.20.0.200:80 -r 192.168.30.27 -m",
       "-a -t 172.20.0.200:80 -r 192.168.30.27 -m",
       K::kAddDest),
    ok("000:237", "[root@centos7 ~]#ipvsadm -Ln", "-Ln", K::kList),
    ok("000:263", "[ root@centos7 ~]#ipvsadm -C", "-C", K::kClear),
    ok("000:265",
       "[root@centos7 ~] #ipvsadm -A -t 172.20.0.200:80",
       "-A -t 172.20.0.200:80",
       K::kAddService),
    // OCR space before the port: "192.168.30.17" is the server, ":8080" a stray argument.
    bad("000:267",
        "[root@centos7~]#ipvsadm -a -t 172.20.0.200:80 -r 192.168.30.17 :8080 -m -w 3",
        "-a -t 172.20.0.200:80 -r 192.168.30.17 :8080 -m -w 3",
        "unexpected argument :8080\n",
        2),
    ok("000:269",
       "[root@centos7~]#ipvsadm -a -t 172.20.0.200:80 -r 192.168.30.27 -m",
       "-a -t 172.20.0.200:80 -r 192.168.30.27 -m",
       K::kAddDest),
    // OCR split "-Sn": a lone "-" and "Sn" are plain arguments, so no command comes first.
    bad("000:271", "[ root@centos7 ~ ]#ipvsadm - Sn", "- Sn", kTryHelp, 255),
    ok("000:279", "[ root@centos7 ~ ]#ipvsadm -Sn > /etc/sysconfig/ipvsadm", "-Sn", K::kSave),
    // OCR space in the file name: "< /PATH/FROM/IPVSADM_" redirects, "FILE" reaches ipvsadm.
    bad("000:293",
        "ipvsadm -R < /PATH/FROM/IPVSADM_ FILE",
        "-R FILE",
        "unexpected argument FILE\n",
        2),
    ok("000:376",
       "[root@centos7~]#ipvsadm -A -t 172.20.0.200:443 -s rr",
       "-A -t 172.20.0.200:443 -s rr",
       K::kAddService),
    ok("000:378",
       "[root@centos7~]#ipvsadm -a -t 172.20.0.200:443 -r 192.168.0.201 -m",
       "-a -t 172.20.0.200:443 -r 192.168.0.201 -m",
       K::kAddDest),
    ok("000:380", "[ root@centos7 ~ ] #ipvsadm -Ln", "-Ln", K::kList),
    // The author's "//" annotation is not a shell comment: ipvsadm receives it.
    bad("000:459",
        "#ipvsadm -Ln //可查看到",
        "-Ln //可查看到",
        "unexpected argument //可查看到\n",
        2),
    ok("000:607",
       "[root@lvs ~]#ipvsadm -A -t 192.168.30.7:80 -s rr",
       "-A -t 192.168.30.7:80 -s rr",
       K::kAddService),
    // OCR space inside the address: -r gets "192", which ipvsadm refuses (all digits).
    bad("000:609",
        "[root@lvs ~]#ipvsadm -a -t 192.168.30.7:80 -r 192 .168.30.17",
        "-a -t 192.168.30.7:80 -r 192 .168.30.17",
        "illegal real server address[:port] specified\n",
        2),
    // OCR space inside the address: -r gets "192.168" (inet_aton: 192.0.0.168), then the rest
    // is a stray argument.
    bad("000:613",
        "[ root@lvs~]#ipvsadm -a -t 192.168.30.7:80 -r 192.168 .30.27",
        "-a -t 192.168.30.7:80 -r 192.168 .30.27",
        "unexpected argument .30.27\n",
        2),
    ok("000:615", "[root@lvs ~]#ipvsadm -Ln", "-Ln", K::kList),
    ok("000:677", "[ root@lvs ~]#ipvsadm -Ln", "-Ln", K::kList),
    // Meant "ipvsadm-restore": "-restore" is the bundle -r estore, and -r is no command.
    bad("000:679", "[ root@lvs ~]# ipvsadm -restore < f1", "-restore", kTryHelp, 255),
    // vip='10.0.0.100'; the ';' ends the command, so the service has no port.
    bad("000:814",
        "ipvsadm -A -t ${vip};${port} -s $scheduler",
        "-A -t 10.0.0.100",
        "Zero port specified for non-persistent service\n",
        2),
    // With the values the script means (port 80, rs1 192.168.0.101, type -g), "-W" is still
    // not an ipvsadm option (the weight is -w).
    bad("000:816",
        "ipvsadm -a -t ${vip}:${port} -r ${rs1} $type -W 1",
        "-a -t 10.0.0.100:80 -r 192.168.0.101 -g -W 1",
        "-W: unknown option\n",
        255),
    ok("000:826", "ipvsadm -C", "-C", K::kClear),

    // --- 001: NAT / DR / persistence tutorial ----------------------------------------------
    ok("001:131",
       "                # ipvsadm -A -t 172.16.100.1:80 -s rr",
       "-A -t 172.16.100.1:80 -s rr",
       K::kAddService),
    ok("001:153", "                        # ipvsadm -L -n --timeout", "-L -n --timeout", K::kList),
    ok("001:163", "                # ipvsadm -S > /path/to/somefile", "-S", K::kSave),
    ok("001:167", "                # ipvsadm -R < /path/to/somefile", "-R", K::kRestore),
    ok("001:198", "# ipvsadm -A -t 10.1.1.1:80 -s rr", "-A -t 10.1.1.1:80 -s rr", K::kAddService),
    ok("001:199",
       "# ipvsadm -a -t 10.1.1.1:80 -r 192.168.1.2 -m",
       "-a -t 10.1.1.1:80 -r 192.168.1.2 -m",
       K::kAddDest),
    ok("001:200",
       "# ipvsadm -a -t 10.1.1.1:80 -r 192.168.1.3 -m",
       "-a -t 10.1.1.1:80 -r 192.168.1.3 -m",
       K::kAddDest),
    ok("001:203", "# ipvsadm -L -n", "-L -n", K::kList),
    ok("001:216", "# ipvsadm -L -n --stats", "-L -n --stats", K::kList),
    ok("001:228",
       "# ipvsadm -E -t 10.1.1.1:80 -s wrr",
       "-E -t 10.1.1.1:80 -s wrr",
       K::kEditService),
    ok("001:229",
       "# ipvsadm -e -t 10.1.1.1:80 -r 192.168.1.2 -m -w 3",
       "-e -t 10.1.1.1:80 -r 192.168.1.2 -m -w 3",
       K::kEditDest),
    ok("001:230",
       "# ipvsadm -e -t 10.1.1.1:80 -r 192.168.1.3 -m -w 1",
       "-e -t 10.1.1.1:80 -r 192.168.1.3 -m -w 1",
       K::kEditDest),
    ok("001:231", "# ipvsadm -L -n", "-L -n", K::kList),
    ok("001:240", "# ipvsadm -Z -t 10.1.1.1:80", "-Z -t 10.1.1.1:80", K::kZero),
    ok("001:241", "# ipvsadm -L -n --stats", "-L -n --stats", K::kList),
    ok("001:316",
       "# ipvsadm -A -t 10.1.1.254:80 -s wrr",
       "-A -t 10.1.1.254:80 -s wrr",
       K::kAddService),
    ok("001:317",
       "# ipvsadm -a -t 10.1.1.254:80 -r 10.1.1.2 -g -w 2",
       "-a -t 10.1.1.254:80 -r 10.1.1.2 -g -w 2",
       K::kAddDest),
    ok("001:318",
       "# ipvsadm -a -t 10.1.1.254:80 -r 10.1.1.3 -g -w 1",
       "-a -t 10.1.1.254:80 -r 10.1.1.3 -g -w 1",
       K::kAddDest),
    ok("001:319", "# ipvsadm -L -n", "-L -n", K::kList),
    // Director script: vip=10.1.1.254 vport=80 rs1_ip=10.1.1.2 rs2_ip=10.1.1.3 rs1_weight=2
    // rs2_weight=1.
    ok("001:381", "    ipvsadm -C", "-C", K::kClear),
    ok("001:382",
       "    ipvsadm -A -t $vip:$vport -s wlc",
       "-A -t 10.1.1.254:80 -s wlc",
       K::kAddService),
    ok("001:383",
       "    ipvsadm -a -t $vip:$vport -r $rs1_ip -g -w $rs1_weight",
       "-a -t 10.1.1.254:80 -r 10.1.1.2 -g -w 2",
       K::kAddDest),
    ok("001:384",
       "    ipvsadm -a -t $vip:$vport -r $rs2_ip -g -w $rs2_weight",
       "-a -t 10.1.1.254:80 -r 10.1.1.3 -g -w 1",
       K::kAddDest),
    ok("001:387", "    ipvsadm -C", "-C", K::kClear),
    ok("001:389", "    ipvsadm -L -n", "-L -n", K::kList),
    ok("001:392", "    ipvsadm -S > /etc/ipvs.info", "-S", K::kSave),
    ok("001:396", "    ipvsadm -L -n", "-L -n", K::kList),
    // Health-check script: rs1_server=10.1.1.2 rs2_server=10.1.1.3, same vip/vport/weights.
    ok("001:432", "    if ipvsadm -L -n | grep $rs1_server &> /dev/null; then", "-L -n", K::kList),
    ok("001:433",
       "      ipvsadm -d -t $vip:$vport -r $rs1_server &> /dev/null",
       "-d -t 10.1.1.254:80 -r 10.1.1.2",
       K::kDelDest),
    ok("001:437",
       "    if ! ipvsadm -L -n | grep $rs1_server:$vport &> /dev/null; then",
       "-L -n",
       K::kList),
    ok("001:438",
       "        ipvsadm -a -t $vip:$vport -r $rs1_server -g -w $rs1_weight",
       "-a -t 10.1.1.254:80 -r 10.1.1.2 -g -w 2",
       K::kAddDest),
    ok("001:439",
       "        ipvsadm -d -t $vip:$vport -r 127.0.0.1",
       "-d -t 10.1.1.254:80 -r 127.0.0.1",
       K::kDelDest),
    ok("001:444", "    if ipvsadm -L -n | grep $rs2_server &> /dev/null; then", "-L -n", K::kList),
    ok("001:445",
       "      ipvsadm -d -t $vip:$vport -r $rs2_server &> /dev/null",
       "-d -t 10.1.1.254:80 -r 10.1.1.3",
       K::kDelDest),
    ok("001:449",
       "    if ! ipvsadm -L -n | grep $rs2_server:$vport &> /dev/null; then",
       "-L -n",
       K::kList),
    ok("001:450",
       "        ipvsadm -a -t $vip:$vport -r $rs2_server -g -w $rs2_weight",
       "-a -t 10.1.1.254:80 -r 10.1.1.3 -g -w 1",
       K::kAddDest),
    ok("001:457",
       "   ipvsadm -d -t $vip:$vport -r $rs1_server &> /dev/null",
       "-d -t 10.1.1.254:80 -r 10.1.1.2",
       K::kDelDest),
    ok("001:458",
       "   ipvsadm -d -t $vip:$vport -r $rs2_server &> /dev/null",
       "-d -t 10.1.1.254:80 -r 10.1.1.3",
       K::kDelDest),
    ok("001:459",
       "   ipvsadm -a -t $vip:$vport -r 127.0.0.1 &> /dev/null",
       "-a -t 10.1.1.254:80 -r 127.0.0.1",
       K::kAddDest),
    ok("001:473", "# ipvsadm -L -c", "-L -c", K::kList),
    // A synopsis typed at a prompt: the shell pipes "ipvsadm -A" into a command "E".
    bad("001:484",
        "# ipvsadm -A | E ….. -p timeout",
        "-A",
        "You need to supply the 'service-address' option for the 'add-service' command\n",
        2),
    ok("001:499",
       "# ipvsadm -E -t 10.1.1.254:80 -s rr",
       "-E -t 10.1.1.254:80 -s rr",
       K::kEditService),
    ok("001:502",
       "# ipvsadm -E -t 10.1.1.254:80 -s rr -p 600",
       "-E -t 10.1.1.254:80 -s rr -p 600",
       K::kEditService),
    ok("001:504", "# ipvsadm -L -n", "-L -n", K::kList),
    ok("001:515", "# ipvsadm -L -n --persistent-conn", "-L -n --persistent-conn", K::kList),
    ok("001:533",
       "# ipvsadm -A -t 10.1.1.254:23 -s rr -p 3600",
       "-A -t 10.1.1.254:23 -s rr -p 3600",
       K::kAddService),
    ok("001:534",
       "# ipvsadm -a -t 10.1.1.254:23 -r 10.1.1.2 -g -w 2",
       "-a -t 10.1.1.254:23 -r 10.1.1.2 -g -w 2",
       K::kAddDest),
    ok("001:535",
       "# ipvsadm -a -t 10.1.1.254:23 -r 10.1.1.3 -g -w 2",
       "-a -t 10.1.1.254:23 -r 10.1.1.3 -g -w 2",
       K::kAddDest),
    ok("001:546",
       "# ipvsadm -A -t 10.1.1.254:0 -s rr -p 600",
       "-A -t 10.1.1.254:0 -s rr -p 600",
       K::kAddService),
    ok("001:547",
       "# ipvsadm -a -t 10.1.1.254:0 -r 10.1.1.2 -g -w 2",
       "-a -t 10.1.1.254:0 -r 10.1.1.2 -g -w 2",
       K::kAddDest),
    ok("001:548",
       "# ipvsadm -a -t 10.1.1.254:0 -r 10.1.1.3 -g -w 2",
       "-a -t 10.1.1.254:0 -r 10.1.1.3 -g -w 2",
       K::kAddDest),
    ok("001:551", "# ipvsadm -L -n -c", "-L -n -c", K::kList),
    ok("001:581", "# ipvsadm -A -f 10 -s rr", "-A -f 10 -s rr", K::kAddService),
    ok("001:582",
       "# ipvsadm -a -f 10 -r 10.1.1.2 -g -w 2",
       "-a -f 10 -r 10.1.1.2 -g -w 2",
       K::kAddDest),
    ok("001:583",
       "# ipvsadm -a -f 10 -r 10.1.1.3 -g -w 1",
       "-a -f 10 -r 10.1.1.3 -g -w 1",
       K::kAddDest),
    ok("001:589", "# ipvsadm -E -f 10 -p 600", "-E -f 10 -p 600", K::kEditService),
    ok("001:590", "# ipvsadm -L -n", "-L -n", K::kList),

    // --- 002: server27 NAT / DR / fwmark ----------------------------------------------------
    ok("002:242",
       "[root@server27 ~]# ipvsadm -A -t 192.168.0.127:80 -s rr",
       "-A -t 192.168.0.127:80 -s rr",
       K::kAddService),
    ok("002:244", "[root@server27 ~]# ipvsadm -Ln", "-Ln", K::kList),
    ok("002:254",
       "[root@server27 ~]# ipvsadm -a -t 192.168.0.127:80 -r 192.168.10.2 -m -w 2",
       "-a -t 192.168.0.127:80 -r 192.168.10.2 -m -w 2",
       K::kAddDest),
    ok("002:256",
       "[root@server27 ~]# ipvsadm -a -t 192.168.0.127:80 -r 192.168.10.3 -m -w 5",
       "-a -t 192.168.0.127:80 -r 192.168.10.3 -m -w 5",
       K::kAddDest),
    ok("002:266", "[root@server27 ~]# ipvsadm -Ln", "-Ln", K::kList),
    ok("002:284",
       "[root@server27 ~]# ipvsadm -E -t 192.168.0.127:80 -s wrr",
       "-E -t 192.168.0.127:80 -s wrr",
       K::kEditService),
    ok("002:286", "[root@server27 ~]# ipvsadm -Ln", "-Ln", K::kList),
    ok("002:304",
       "[root@server27 ~]# ipvsadm -E -t 192.168.0.127:80 -s lblc",
       "-E -t 192.168.0.127:80 -s lblc",
       K::kEditService),
    ok("002:306", "[root@server27 ~]# ipvsadm -Ln", "-Ln", K::kList),
    // Prose ("A == B" means "same as"); typed literally, "==" reaches ipvsadm.
    bad("002:324",
        "ipvsadm -S >>/etc/sysconfig/ipvs-config  ==  ipvsadm-save",
        "-S == ipvsadm-save",
        "unexpected argument ==\n",
        2),
    bad("002:326",
        "ipvsadm -R < /etc/sysconfig/ipvs-config == ipvsadm-restore",
        "-R == ipvsadm-restore",
        "unexpected argument ==\n",
        2),
    ok("002:448", "[root@server27 ~]# ipvsadm -C", "-C", K::kClear),
    ok("002:450",
       "[root@server27 ~]# ipvsadm -A -t 192.168.0.127:80 -s wlc",
       "-A -t 192.168.0.127:80 -s wlc",
       K::kAddService),
    ok("002:452",
       "[root@server27 ~]# ipvsadm -a -t 192.168.0.127:80 -r 192.168.0.12 -g -w 5",
       "-a -t 192.168.0.127:80 -r 192.168.0.12 -g -w 5",
       K::kAddDest),
    ok("002:454",
       "[root@server27 ~]# ipvsadm -a -t 192.168.0.127:80 -r 192.168.0.13 -g -w 8",
       "-a -t 192.168.0.127:80 -r 192.168.0.13 -g -w 8",
       K::kAddDest),
    ok("002:456", "[root@server27 ~]# ipvsadm -Ln", "-Ln", K::kList),
    ok("002:474",
       "[root@server27 ~]# ipvsadm -E -t 192.168.0.127:80 -s wlc -p 3600",
       "-E -t 192.168.0.127:80 -s wlc -p 3600",
       K::kEditService),
    ok("002:476", "[root@server27 ~]# ipvsadm -Ln", "-Ln", K::kList),
    ok("002:512",
       "ipvsadm -A  -t  192.168.0.220:0 -s rr -p",
       "-A  -t  192.168.0.220:0 -s rr -p",
       K::kAddService),
    // Typo in the article: "192.168.0.220.3" is no address (and resolves to nothing).
    bad("002:514",
        "ipvsadm -a  -t  192.168.0.220.3:0 -r 192.168.10.11 -m",
        "-a  -t  192.168.0.220.3:0 -r 192.168.10.11 -m",
        "illegal virtual server address[:port] specified\n",
        2),
    ok("002:516",
       "ipvsadm -a  -t  192.168.0.220:0 -r 192.168.10.11 -m",
       "-a  -t  192.168.0.220:0 -r 192.168.10.11 -m",
       K::kAddDest),
    ok("002:536",
       "[root@server27 ~]#  ipvsadm -A -f 2 -s wlc -p 3600",
       "-A -f 2 -s wlc -p 3600",
       K::kAddService),
    ok("002:538",
       "[root@server27 ~]# ipvsadm -a -f 2 -r 192.168.10.2 -m -w 2",
       "-a -f 2 -r 192.168.10.2 -m -w 2",
       K::kAddDest),
    ok("002:540",
       "[root@server27 ~]# ipvsadm -a -f 2 -r 192.168.10.3 -m -w 5",
       "-a -f 2 -r 192.168.10.3 -m -w 5",
       K::kAddDest),
    ok("002:612",
       "[root@server27 ~]# ipvsadm -A -f 5 -s wlc -p",
       "-A -f 5 -s wlc -p",
       K::kAddService),
    ok("002:614",
       "[root@server27 ~]# ipvsadm -a -f 5 -r 192.168.10.2 -m -w 2",
       "-a -f 5 -r 192.168.10.2 -m -w 2",
       K::kAddDest),
    ok("002:616",
       "[root@server27 ~]# ipvsadm -a -f 5 -r 192.168.10.3 -m -w 5",
       "-a -f 5 -r 192.168.10.3 -m -w 5",
       K::kAddDest),

    // --- 003: DR with nginx ----------------------------------------------------------------
    ok("003:62", "ipvsadm --clear", "--clear", K::kClear),
    ok("003:63",
       "ipvsadm -A -t 192.168.101.100:80 -s rr",
       "-A -t 192.168.101.100:80 -s rr",
       K::kAddService),
    // Two commands run together on one line by the page: the second "-a" is a second command.
    bad("003:66",
        "ipvsadm -a -t 192.168.101.100:80 -r 192.168.101.3:80 -g ipvsadm -a -t "
        "192.168.101.100:80 -r 192.168.101.4:80 -g",
        "-a -t 192.168.101.100:80 -r 192.168.101.3:80 -g ipvsadm -a -t 192.168.101.100:80 -r "
        "192.168.101.4:80 -g",
        "invalid option `-a'\n",
        2),
    ok("003:66 (first)",
       "ipvsadm -a -t 192.168.101.100:80 -r 192.168.101.3:80 -g",
       "-a -t 192.168.101.100:80 -r 192.168.101.3:80 -g",
       K::kAddDest),
    ok("003:66 (second)",
       "ipvsadm -a -t 192.168.101.100:80 -r 192.168.101.4:80 -g",
       "-a -t 192.168.101.100:80 -r 192.168.101.4:80 -g",
       K::kAddDest),
    ok("003:69", "ipvsadm", "", K::kList),
    // The start/stop script on line 93: VIP=192.168.101.100, RIPS="192.168.101.3
    // 192.168.101.4", SERVICE=80.
    ok("003:93", "ipvsadm -C", "-C", K::kClear),
    ok("003:93",
       "ipvsadm -A -t $VIP:$SERVICE -s rr",
       "-A -t 192.168.101.100:80 -s rr",
       K::kAddService),
    ok("003:93",
       "ipvsadm -a -t $VIP:$SERVICE -r $RIP:$SERVICE -g",
       "-a -t 192.168.101.100:80 -r 192.168.101.3:80 -g",
       K::kAddDest),
    ok("003:93",
       "ipvsadm -a -t $VIP:$SERVICE -r $RIP:$SERVICE -g",
       "-a -t 192.168.101.100:80 -r 192.168.101.4:80 -g",
       K::kAddDest),
    ok("003:93", "ipvsadm --set 30 120 300", "--set 30 120 300", K::kSetTimeouts),
    ok("003:93", "ipvsadm", "", K::kList),

    // --- 004: CentOS 7.3 NAT / DR ----------------------------------------------------------
    ok("004:352", "ipvsadm -S > /PATH/TO/IPVSADM_FILE", "-S", K::kSave),
    ok("004:360", "ipvsadm -R < /PATH/FROM/IPVSADM_FILE", "-R", K::kRestore),
    ok("004:411",
       "[root@CentOS7.3 ~]#ipvsadm -A -t 172.16.253.63:80 -s rr #添加一个集群服务",
       "-A -t 172.16.253.63:80 -s rr",
       K::kAddService),
    ok("004:412", "[root@CentOS7.3 ~]#ipvsadm -Ln #查看本机的lvs服务", "-Ln", K::kList),
    ok("004:417",
       "[root@CentOS7.3 ~]#ipvsadm -a -t 172.16.253.63:80 -r 192.168.166.129 -m",
       "-a -t 172.16.253.63:80 -r 192.168.166.129 -m",
       K::kAddDest),
    ok("004:418",
       "[root@CentOS7.3 ~]#ipvsadm -a -t 172.16.253.63:80 -r 192.168.166.131 -m",
       "-a -t 172.16.253.63:80 -r 192.168.166.131 -m",
       K::kAddDest),
    ok("004:419", "[root@CentOS7.3 ~]#ipvsadm -Ln", "-Ln", K::kList),
    ok("004:487", "[root@CentOS7.3 ~]#ipvsadm -L --stats", "-L --stats", K::kList),
    ok("004:503",
       "[root@CentOS7.3 ~]#ipvsadm -E -t 172.16.253.63:80 -s wrr #修改为wrr算法",
       "-E -t 172.16.253.63:80 -s wrr",
       K::kEditService),
    ok("004:504", "[root@CentOS7.3 ~]#ipvsadm -Ln", "-Ln", K::kList),
    ok("004:517",
       "[root@CentOS7.3 ~]#ipvsadm -e -t 172.16.253.63:80 -r 192.168.166.129 -m -w 2",
       "-e -t 172.16.253.63:80 -r 192.168.166.129 -m -w 2",
       K::kEditDest),
    ok("004:518", "[root@CentOS7.3 ~]#ipvsadm -Ln", "-Ln", K::kList),
    ok("004:671",
       "[root@CentOS7.3 ~]#ipvsadm -A -t 172.16.253.63:80 -s wrr",
       "-A -t 172.16.253.63:80 -s wrr",
       K::kAddService),
    ok("004:672",
       "[root@CentOS7.3 ~]#ipvsadm -a -t 172.16.253.63:80 -r 192.168.166.129 -g -w 2",
       "-a -t 172.16.253.63:80 -r 192.168.166.129 -g -w 2",
       K::kAddDest),
    ok("004:673",
       "[root@CentOS7.3 ~]#ipvsadm -a -t 172.16.253.63:80 -r 192.168.166.131 -g -w 6",
       "-a -t 172.16.253.63:80 -r 192.168.166.131 -g -w 6",
       K::kAddDest),
    ok("004:674", "[root@CentOS7.3 ~]#ipvsadm -Ln", "-Ln", K::kList),
};

}  // namespace

TEST_CASE("seeds: every ipvsadm command line of the articles parses as ipvsadm parses it") {
  int accepted = 0;
  int rejected = 0;
  for (const SeedLine& s : kSeeds) {
    Cli cli;
    cli.program = "ipvsadm";
    const ParseOutcome p = cli.parse(s.args);
    INFO(s.where, ": ", s.literal);
    if (s.kind) {
      REQUIRE_MESSAGE(p.ok(), p.err);
      CHECK(p.command->kind == *s.kind);
      ++accepted;
    } else {
      CHECK_FALSE(p.ok());
      CHECK(p.err == s.error);
      CHECK(p.exit_code == s.exit_code);
      ++rejected;
    }
  }
  CHECK(accepted == 131);
  CHECK(rejected == 15);
}

TEST_CASE("seeds: the accepted lines carry the values the articles meant") {
  Cli cli;
  // 001:589 -E on a fwmark service resets the scheduler to wlc, which the article's listing
  // ("FWM10 wlc persistent 600") confirms.
  ParseOutcome p = cli.parse("-E -f 10 -p 600");
  REQUIRE(p.ok());
  CHECK(p.command->service.scheduler == "wlc");
  CHECK(p.command->service.timeout == 600);
  // 002:612 "-p" without a value: 360 s.
  p = cli.parse("-A -f 5 -s wlc -p");
  REQUIRE(p.ok());
  CHECK(p.command->service.timeout == 360);
  // 000:233 no port on a NAT server: the service's.
  p = cli.parse("-a -t 172.20.0.200:80 -r 192.168.30.27 -m");
  REQUIRE(p.ok());
  CHECK(p.command->dest.port == 80);
  // 001:547 DR on a port-0 (PCC) service: port 0.
  p = cli.parse("-a -t 10.1.1.254:0 -r 10.1.1.2 -g -w 2");
  REQUIRE(p.ok());
  CHECK(p.command->dest.port == 0);
  CHECK(p.command->dest.weight == 2);
}
