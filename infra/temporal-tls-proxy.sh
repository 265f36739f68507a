#!/usr/bin/env bash
# A TLS terminator (nginx) in front of the local Temporal server, for tests of TLS connections.
#
#   temporal-tls-proxy.sh install
#   temporal-tls-proxy.sh start <dir> <mtls-port> <api-key-port>
#   temporal-tls-proxy.sh stop
#
# <dir> holds server.pem and server-key.pem (the proxy's certificate), ca.pem (the CA whose client
# certificates the mTLS port accepts) and api-key (the key the API-key port wants as
# `authorization: Bearer <key>`). The nginx config, pid, logs and temp files go there too, so
# /etc/nginx is never used. Both ports bind 127.0.0.1 only; nginx runs in the foreground under
# start_daemon (pid in run/temporal-tls-proxy.pid).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=temporal-tls-proxy
NGINX_HINT="Install nginx 1.22 or newer with: sudo apt-get install -y nginx-light"

nginx_binary() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; }; }

install_nginx() {
  [[ -n "$(nginx_binary)" ]] && return 0
  apt_install nginx-light || fail "installing nginx failed. $NGINX_HINT"
  [[ -n "$(nginx_binary)" ]] || fail "nginx is not installed. $NGINX_HINT"
}

write_config() {
  local dir="$1" mtls_port="$2" api_key_port="$3" upstream="$4" api_key
  api_key="$(cat "$dir/api-key")"
  [[ "$api_key" =~ ^[A-Za-z0-9._-]+$ ]] || fail "$dir/api-key: expected letters, digits, '.', '_' or '-' only"
  mkdir -p "$dir/temp"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 256; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/temp/client-body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  # Temporal's long polls last about a minute; payloads can reach a few MB.
  grpc_read_timeout 120s;
  grpc_send_timeout 120s;
  client_body_timeout 120s;
  client_max_body_size 0;
  ssl_certificate $dir/server.pem;
  ssl_certificate_key $dir/server-key.pem;

  map_hash_bucket_size 128;
  map \$http_authorization \$api_key_accepted {
    "Bearer $api_key" 1;
    default 0;
  }

  server {
    listen 127.0.0.1:$mtls_port ssl http2;
    ssl_client_certificate $dir/ca.pem;
    ssl_verify_client on;
    location / { grpc_pass grpc://$upstream; }
  }

  server {
    listen 127.0.0.1:$api_key_port ssl http2;
    location / {
      if (\$api_key_accepted = 0) { return 401; }
      grpc_pass grpc://$upstream;
    }
  }
}
CONF
}

start_proxy() {
  local dir="${1:?usage: $0 start <dir> <mtls-port> <api-key-port>}" mtls_port="${2:?mtls port}" api_key_port="${3:?api-key port}"
  local upstream="${TEMPORAL_UPSTREAM:-127.0.0.1:$LOCAL_TEMPORAL_PORT}" nginx
  install_nginx
  nginx="$(nginx_binary)"
  dir="$(cd "$dir" && pwd)"
  for file in server.pem server-key.pem ca.pem api-key; do [[ -f "$dir/$file" ]] || fail "$dir/$file is missing"; done
  stop_daemon "$NAME"
  write_config "$dir" "$mtls_port" "$api_key_port" "$upstream"
  "$nginx" -t -q -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" || fail "nginx refused $dir/nginx.conf"
  start_daemon "$NAME" "$nginx" -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;'
  wait_for "$NAME" 10 port_open "$mtls_port" && wait_for "$NAME" 10 port_open "$api_key_port" \
    || fail "nginx did not listen on 127.0.0.1:$mtls_port and :$api_key_port in 10 s; see $dir/error.log"
  cat "$RUN_DIR/$NAME.pid"
}

case "${1:-}" in
  install) install_nginx ;;
  start) shift; start_proxy "$@" ;;
  stop) stop_daemon "$NAME" ;;
  *) fail "usage: $0 install | start <dir> <mtls-port> <api-key-port> | stop" ;;
esac
