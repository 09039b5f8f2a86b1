#!/usr/bin/env bash
# Busca un código de barras y registra una venta de 1 unidad con la API local de Sincro.
# Uso: SINCRO_DATOS=/ruta/datos ./venta.sh CODIGO_DE_BARRAS
# Variables: SINCRO_API_URL (por defecto http://127.0.0.1:8765) y SINCRO_DATOS (el
# directorio de datos de la terminal, donde está api-local.token). Necesita curl y jq.
set -euo pipefail
codigo="${1:?indique el código de barras}"
url="${SINCRO_API_URL:-http://127.0.0.1:8765}"
token="$(cat "${SINCRO_DATOS:?indique SINCRO_DATOS}/api-local.token")"

# 1. Buscar el producto por su código de barras (coincidencia exacta primero).
producto="$(curl -sS --fail-with-body -G "$url/v1/buscar" \
  -H "Authorization: Bearer $token" \
  --data-urlencode "texto=$codigo" --data-urlencode "modelo=productos.Producto" \
  --data-urlencode "limite=1" | jq -e '.resultados[0]')"
id="$(jq -r '.datos.id' <<<"$producto")"
precio="$(jq -r '.datos.precio' <<<"$producto")"
echo "Producto $id: $(jq -r '.datos.nombre' <<<"$producto") a $precio"

# 2. Registrar la venta. La Idempotency-Key hace seguro reintentar tras un tiempo agotado.
clave="$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)"
curl -sS --fail-with-body --retry 3 --retry-all-errors "$url/v1/vender" \
  -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  -H "Idempotency-Key: $clave" \
  -d "{\"lineas\": [{\"producto\": $id, \"cantidad\": 1, \"precio_unitario\": \"$precio\"}],
       \"pagos\": [{\"metodo\": \"efectivo\", \"importe\": \"$precio\"}]}" \
  | jq -r '"Venta registrada: \(.venta) total \(.total)"'
