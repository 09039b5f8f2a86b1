# Se incluye con `source` desde scripts/pruebas.sh y `make bench`, desde la raíz del proyecto.
# Si no hay SINCRO_PG_URL, intenta tener un PostgreSQL local y la exporta:
#   - como root, el clúster del sistema (scripts/postgres-pruebas.sh);
#   - como usuario normal, un clúster privado y temporal con initdb en .venv/pg.
# Sin binarios de PostgreSQL lo avisa: las pruebas marcadas 'postgres' se saltan y los benches
# de PostgreSQL dicen que lo necesitan.
if [ -z "${SINCRO_PG_URL:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    bash scripts/postgres-pruebas.sh
    export SINCRO_PG_URL="postgresql://sincro:sincro@127.0.0.1:5432/sincro_pruebas"
  elif [ -n "$pgbin" ] && [ "$(id -u)" != "0" ]; then
    dir="$PWD/.venv/pg"; puerto=54329
    if [ ! -d "$dir" ]; then
      "$pgbin/initdb" -D "$dir" -U sincro --auth=trust >/dev/null
    fi
    "$pgbin/pg_ctl" -D "$dir" -o "-p $puerto -k $dir -c listen_addresses=127.0.0.1" \
      -l "$dir/log" status >/dev/null 2>&1 ||
      "$pgbin/pg_ctl" -D "$dir" -o "-p $puerto -k $dir -c listen_addresses=127.0.0.1" \
        -l "$dir/log" -w start >/dev/null
    "$pgbin/psql" -h 127.0.0.1 -p $puerto -U sincro -d postgres -tc \
      "SELECT 1 FROM pg_database WHERE datname='sincro_pruebas'" | grep -q 1 ||
      "$pgbin/createdb" -h 127.0.0.1 -p $puerto -U sincro sincro_pruebas
    export SINCRO_PG_URL="postgresql://sincro@127.0.0.1:$puerto/sincro_pruebas"
  else
    echo "Aviso: sin PostgreSQL; las pruebas marcadas 'postgres' se saltarán." >&2
    echo "       Instálelo (Debian/Ubuntu: apt-get install postgresql) para ejecutarlas." >&2
  fi
fi

