// Escucha GET /v1/eventos (Server-Sent Events) de la API local de Sincro e imprime cada evento.
// Uso: SINCRO_DATOS=/ruta/datos node eventos.mjs [N]   (termina tras N eventos; sin N, nunca)
// EventSource del navegador no deja enviar la cabecera Authorization: se usa fetch y se lee
// el cuerpo por trozos. Variables: SINCRO_API_URL (por defecto http://127.0.0.1:8765) y
// SINCRO_DATOS (directorio de datos de la terminal, donde está api-local.token).
import { readFileSync } from "node:fs";
import { join } from "node:path";

const maximo = Number(process.argv[2] ?? Infinity);
const url = process.env.SINCRO_API_URL ?? "http://127.0.0.1:8765";
const token = readFileSync(join(process.env.SINCRO_DATOS, "api-local.token"), "utf8").trim();

const respuesta = await fetch(`${url}/v1/eventos`, {
  headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
});
if (!respuesta.ok) throw new Error(`${respuesta.status}: ${(await respuesta.json()).error}`);

const lector = respuesta.body.pipeThrough(new TextDecoderStream()).getReader();
let pendiente = "";
let vistos = 0;
while (vistos < maximo) {
  const { value, done } = await lector.read();
  if (done) break;
  pendiente += value;
  let fin;
  while ((fin = pendiente.indexOf("\n\n")) >= 0 && vistos < maximo) {
    const bloque = pendiente.slice(0, fin);
    pendiente = pendiente.slice(fin + 2);
    if (bloque.startsWith(":")) continue; // latido
    const evento = /^event: (.*)$/m.exec(bloque)?.[1] ?? "message";
    const datos = JSON.parse(/^data: (.*)$/m.exec(bloque)?.[1] ?? "null");
    // Aquí la caja mostraría u ocultaría su aviso (sin conexión, conflicto, catálogo…).
    console.log(`${evento}: ${JSON.stringify(datos)}`);
    vistos++;
  }
}
await lector.cancel();
