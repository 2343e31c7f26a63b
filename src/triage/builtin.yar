// kforensic's built-in YARA rules: crypto-miners and common webshells. Each rule's `severity`
// becomes the finding's severity (default high).

rule kf_miner_stratum_url
{
    meta:
        description = "mining pool URL (stratum protocol)"
        severity = "critical"
    strings:
        $tcp = "stratum+tcp://" nocase
        $ssl = "stratum+ssl://" nocase
        $tls = "stratum+tls://" nocase
        $v2 = "stratum2+tcp://" nocase
    condition:
        any of them
}

rule kf_miner_xmrig
{
    meta:
        description = "XMRig or a RandomX/CryptoNight miner"
        severity = "critical"
    strings:
        $name = "xmrig" nocase fullword
        $donate = "donate-level" nocase
        $randomx = "randomx" nocase fullword
        $cn = "cryptonight" nocase
        $nicehash = "nicehash" nocase fullword
    condition:
        2 of them
}

rule kf_webshell_php
{
    meta:
        description = "PHP webshell: request parameters run as code or commands"
        severity = "critical"
    strings:
        $eval = /eval\s*\(\s*(base64_decode|gzinflate|gzuncompress|str_rot13)\s*\(/ nocase
        $cmd = /(system|passthru|shell_exec|exec|popen|proc_open)\s*\(\s*\$_(GET|POST|REQUEST|COOKIE|SERVER)/ nocase
        $assert = /assert\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)/ nocase
        $create = /create_function\s*\([^)]*\$_(GET|POST|REQUEST)/ nocase
    condition:
        any of them
}

rule kf_webshell_jsp
{
    meta:
        description = "JSP webshell: a request parameter run as a command"
        severity = "critical"
    strings:
        $exec = /Runtime\.getRuntime\(\)\.exec\(\s*request\.getParameter/
        $pb = /new\s+ProcessBuilder\([^)]*request\.getParameter/
    condition:
        any of them
}
