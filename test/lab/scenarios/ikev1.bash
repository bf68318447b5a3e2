# shellcheck shell=bash
# Helpers for the IKEv1 scenarios (*-ikev1*.sh), sourced after lib.sh and
# interop.bash. Not a scenario itself (run.sh runs only *.sh).
#
#   kite_v1 NS key=value...   kite_conf_psk with version=ikev1 and the IKEv1
#                             keys mode=main|aggressive, local_id=TYPE:VALUE,
#                             remote_id=TYPE:VALUE (TYPE ip|fqdn), lifetime
#                             keys esp_lifetime=SECONDS
#   swan_v1 NS key=value...   swan_conf_psk with version=1 and local_id=ID,
#                             remote_id=ID (strongSwan identities; the
#                             secret keeps the addresses too, Main Mode
#                             looks the PSK up by address)
#   v1_suite NAME             SUITE_KITE / SUITE_IKE / SUITE_ESP /
#                             SUITE_SHOW_IKE / SUITE_SHOW_ESP /
#                             SUITE_SWAN_IKE / SUITE_SWAN_ESP as suite_keys

kite_v1() {
  local ns=$1 mode=main lid='' rid='' life='' kv
  local -a args=()
  shift
  for kv in "$@"; do
    case $kv in
      mode=*) mode=${kv#*=} ;;
      local_id=*) lid=${kv#*=} ;;
      remote_id=*) rid=${kv#*=} ;;
      esp_lifetime=*) life=${kv#*=} ;;
      *) args+=("$kv") ;;
    esac
  done
  kite_conf_psk "$ns" version=ikev1 "${args[@]}" |
    awk -v mode="$mode" -v lid="$lid" -v rid="$rid" -v life="$life" '
      function id(key, spec) {
        split(spec, a, ":")
        print "      " key ": {type: " a[1] ", value: " a[2] "}"
      }
      { print }
      /^      version: ikev1$/ {
        print "      exchange_mode: " mode
        if (lid != "") id("local_id", lid)
        if (rid != "") id("remote_id", rid)
      }
      /^      pfs: / && life != "" { print "      lifetime: " life "s" }'
}

swan_v1() {
  local ns=$1 lid='' rid='' kv
  local -a args=()
  shift
  for kv in "$@"; do
    case $kv in
      local_id=*) lid=${kv#*=} ;;
      remote_id=*) rid=${kv#*=} ;;
      *) args+=("$kv") ;;
    esac
  done
  swan_conf_psk "$ns" version=1 "${args[@]}" |
    awk -v lid="$lid" -v rid="$rid" '
      /^    local \{/ { blk = "local" }
      /^    remote \{/ { blk = "remote" }
      /^      id = / && blk == "local" && lid != "" { print "      id = " lid; next }
      /^      id = / && blk == "remote" && rid != "" { print "      id = " rid; next }
      /^    id-remote = / {
        print
        if (lid != "") print "    id-v1local = " lid
        if (rid != "") print "    id-v1remote = " rid
        next
      }
      { print }'
}

# The SUITE_* variables are read by the scenarios that source this file.
# shellcheck disable=SC2034
v1_suite() {
  case $1 in
    3des-sha1-modp1024)
      SUITE_KITE=(encryption=3des integrity=sha1 dh_group=2 esp_encryption=des esp_integrity=md5)
      SUITE_IKE=3des-sha1-modp1024 SUITE_ESP=des-md5
      SUITE_SHOW_IKE=3des/sha1/prfsha1/2 SUITE_SHOW_ESP=des/md5
      SUITE_SWAN_IKE=3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024
      SUITE_SWAN_ESP=ESP:DES_CBC/HMAC_MD5_96
      ;;
    aes128-sha1-modp2048)
      SUITE_KITE=(encryption=aes128 integrity=sha1 dh_group=14 esp_encryption=3des esp_integrity=sha1)
      SUITE_IKE=aes128-sha1-modp2048 SUITE_ESP=3des-sha1
      SUITE_SHOW_IKE=aes128/sha1/prfsha1/14 SUITE_SHOW_ESP=3des/sha1
      SUITE_SWAN_IKE=AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048
      SUITE_SWAN_ESP=ESP:3DES_CBC/HMAC_SHA1_96
      ;;
    aes256-sha256-modp1536)
      SUITE_KITE=(encryption=aes256 integrity=sha256 dh_group=5 esp_encryption=aes128 esp_integrity=sha256)
      SUITE_IKE=aes256-sha256-modp1536 SUITE_ESP=aes128-sha256
      SUITE_SHOW_IKE=aes256/sha256/prfsha256/5 SUITE_SHOW_ESP=aes128/sha256
      SUITE_SWAN_IKE=AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1536
      SUITE_SWAN_ESP=ESP:AES_CBC-128/HMAC_SHA2_256_128
      ;;
    *) fail "unknown IKEv1 suite $1" ;;
  esac
}
