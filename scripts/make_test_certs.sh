#!/usr/bin/env bash
# Writes a throwaway certificate authority and certificates signed by it into DIR, for tests and
# local setups only (the keys are unencrypted and the CA key is kept next to them):
#   ca.pem, ca-key.pem           the test CA
#   server.pem, server-key.pem   CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1
#   client.pem, client-key.pem   CN=rwproxy-test-client (a client certificate)
#   other-ca.pem                 an unrelated CA (verification against it must fail)
#   rsa-key.pem                  an RSA private key (caching_sha2_password's RSA exchange)
# Existing files in DIR are replaced. Needs the openssl command.
#
#   scripts/make_test_certs.sh DIR [DAYS]
set -euo pipefail

dir=${1:?usage: make_test_certs.sh DIR [DAYS]}
days=${2:-30}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }

ca() {  # ca NAME CN
  key "$1-key.pem"
  openssl req -x509 -new -key "$1-key.pem" -sha256 -days "$days" -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem" 2>/dev/null
}

signed() {  # signed NAME CN EXTENSIONS
  key "$1-key.pem"
  openssl req -new -key "$1-key.pem" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -sha256 -days "$days" \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "rwproxy test CA"
signed server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
signed client rwproxy-test-client "extendedKeyUsage=clientAuth"
ca other-ca "unrelated test CA"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-key.pem 2>/dev/null
rm -f other-ca-key.pem ca.srl
chmod 644 ./*.pem
chmod 600 ./*-key.pem
