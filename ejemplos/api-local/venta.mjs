// Busca un código de barras y registra una venta de 1 unidad con la API local de Sincro.
// Uso: SINCRO_DATOS=/ruta/datos node venta.mjs CODIGO_DE_BARRAS   (Node 18 o más nuevo: fetch)
// Variables: SINCRO_API_URL (por defecto http://127.0.0.1:8765) y SINCRO_DATOS (directorio de
// datos de la terminal, donde está api-local.token).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";

const codigo = process.argv[2];
if (!codigo) throw new Error("indique el código de barras");
const url = process.env.SINCRO_API_URL ?? "http://127.0.0.1:8765";
const token = readFileSync(join(process.env.SINCRO_DATOS, "api-local.token"), "utf8").trim();
const cabeceras = { Authorization: `Bearer ${token}` };

async function pedir(ruta, opciones = {}) {
  const respuesta = await fetch(url + ruta, {
    ...opciones, headers: { ...cabeceras, ...(opciones.headers ?? {}) },
  });
  const cuerpo = await respuesta.json();
  if (!respuesta.ok) throw new Error(`${respuesta.status}: ${cuerpo.error}`);
  return cuerpo;
}

// 1. Buscar por código de barras (coincidencia exacta primero).
const consulta = new URLSearchParams({ texto: codigo, modelo: "productos.Producto", limite: "1" });
const { resultados } = await pedir(`/v1/buscar?${consulta}`);
if (resultados.length === 0) throw new Error(`no hay ningún producto con código ${codigo}`);
const producto = resultados[0].datos;
console.log(`Producto ${producto.id}: ${producto.nombre} a ${producto.precio}`);

// 2. Registrar la venta; reintentar con la MISMA clave nunca vende dos veces.
const clave = randomUUID();
const venta = {
  lineas: [{ producto: producto.id, cantidad: 1, precio_unitario: producto.precio }],
  pagos: [{ metodo: "tarjeta", importe: producto.precio }],
};
let registrada;
for (let intento = 1; ; intento++) {
  try {
    registrada = await pedir("/v1/vender", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": clave },
      body: JSON.stringify(venta),
    });
    break;
  } catch (error) {
    if (intento >= 3 || !(error instanceof TypeError)) throw error; // TypeError: red
  }
}
console.log(`Venta registrada: ${registrada.venta} total ${registrada.total}`);
