// Busca un código de barras y registra una venta de 1 unidad con la API local de Sincro.
// Uso: javac Venta.java && SINCRO_DATOS=/ruta/datos java Venta CODIGO_DE_BARRAS  (Java 11+)
// Variables: SINCRO_API_URL (por defecto http://127.0.0.1:8765) y SINCRO_DATOS (directorio de
// datos de la terminal, donde está api-local.token). Sin bibliotecas: en una caja real use su
// biblioteca JSON (Jackson, Gson…) en lugar de las expresiones regulares de abajo.
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Venta {
    public static void main(String[] args) throws Exception {
        String codigo = args[0];
        String url = System.getenv().getOrDefault("SINCRO_API_URL", "http://127.0.0.1:8765");
        String token = Files.readString(Path.of(System.getenv("SINCRO_DATOS"), "api-local.token"))
                .trim();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        // 1. Buscar por código de barras (coincidencia exacta primero).
        String consulta = "texto=" + URLEncoder.encode(codigo, StandardCharsets.UTF_8)
                + "&modelo=productos.Producto&limite=1";
        HttpResponse<String> busqueda = http.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/buscar?" + consulta))
                        .header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        exigir(busqueda, 200);
        String id = campo(busqueda.body(), "\"id\":\\s*(\\d+)");
        String precio = campo(busqueda.body(), "\"precio\":\\s*\"([0-9.]+)\"");
        System.out.println("Producto " + id + " a " + precio);

        // 2. Registrar la venta; reintentar con la MISMA clave nunca vende dos veces.
        String clave = UUID.randomUUID().toString();
        String cuerpo = "{\"lineas\": [{\"producto\": " + id + ", \"cantidad\": 1, "
                + "\"precio_unitario\": \"" + precio + "\"}], "
                + "\"pagos\": [{\"metodo\": \"efectivo\", \"importe\": \"" + precio + "\"}]}";
        HttpRequest vender = HttpRequest.newBuilder(URI.create(url + "/v1/vender"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", clave)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(cuerpo)).build();
        HttpResponse<String> venta = null;
        for (int intento = 1; venta == null; intento++) {
            try {
                venta = http.send(vender, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                if (intento >= 3) throw e;
            }
        }
        exigir(venta, 201);
        System.out.println("Venta registrada: " + campo(venta.body(), "\"venta\":\\s*\"([^\"]+)\"")
                + " total " + campo(venta.body(), "\"total\":\\s*\"([^\"]+)\""));
    }

    static void exigir(HttpResponse<String> respuesta, int estado) {
        if (respuesta.statusCode() != estado) {
            throw new IllegalStateException(respuesta.statusCode() + ": " + respuesta.body());
        }
    }

    static String campo(String json, String patron) {
        Matcher m = Pattern.compile(patron).matcher(json);
        if (!m.find()) throw new IllegalStateException("falta " + patron + " en " + json);
        return m.group(1);
    }
}
