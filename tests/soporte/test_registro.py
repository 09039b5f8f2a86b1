"""Registro: ficheros reales, redacción de tokens y datos personales, rotación acotada."""

import logging
import sys
import uuid

import pytest

from agente.soporte import registro

TOKEN = "s3cr3t-TOKEN-a1b2c3d4e5f6g7h8i9j0k1l2m3n4"


def _contenido(carpeta):
    return "\n".join(p.read_text(encoding="utf-8") for p in registro.ficheros_de_registro(carpeta))


def test_evento_en_una_linea_con_campos(dir_registro):
    op = str(uuid.uuid4())
    registro.registrar_evento(
        "empuje", operaciones=3, uuid=op, resultado="aplicada", nota="dos\nlíneas"
    )
    lineas = registro.leer_recientes(10, dir_registro)
    assert len(lineas) == 1
    linea = lineas[0]
    assert " INFO agente.eventos evento=empuje operaciones=3 " in linea
    assert f"uuid={op}" in linea
    assert 'nota="dos\\nlíneas"' in linea


def test_token_nunca_llega_al_fichero(dir_registro):
    log = logging.getLogger("agente.sincronizacion.cliente")
    log.info("cabeceras %s", {"Authorization": f"Token {TOKEN}", "Accept": "application/json"})
    log.warning("Authorization: Token %s rechazado", TOKEN)
    log.info("reintento con Bearer %s", TOKEN)
    registro.registrar_evento("error", token=TOKEN)
    try:
        raise RuntimeError(f"fallo con token {TOKEN}")
    except RuntimeError:
        log.exception("excepción")
    texto = _contenido(dir_registro)
    assert texto.count("\n") >= 4
    assert TOKEN not in texto
    assert TOKEN[:16] not in texto
    assert "application/json" in texto  # lo que no es secreto se conserva


def test_secreto_registrado_se_tacha_en_cualquier_contexto(dir_registro):
    secreto = "xK9-corto-raro"
    registro.registrar_secreto(secreto)
    logging.getLogger("agente").error("valor=%s;", secreto)
    texto = _contenido(dir_registro)
    assert secreto not in texto
    assert "valor=***;" in texto


@pytest.mark.parametrize(
    "personal",
    [
        "ana.garcia+caja@ejemplo.es",
        "612 345 678",
        "+34 912345678",
        "0034612345678",
        "612-34-56-78",
        "12345678Z",
        "X1234567L",
        "B12345674",
        "ES91 2100 0418 4502 0005 1332",
    ],
)
def test_datos_personales_tachados(dir_registro, personal):
    logging.getLogger("agente.almacen.cola").info("cliente dijo: %s (fin)", personal)
    texto = _contenido(dir_registro)
    assert personal not in texto
    assert "(fin)" in texto


def test_campos_declarados_personales(dir_registro):
    registro.declarar_campos_personales(["apodo_cliente"])
    registro.registrar_evento(
        "conflicto", modelo="clientes.Cliente", apodo_cliente="Manolo el del bar", objeto_id="17"
    )
    logging.getLogger("agente").info("datos {'apodo_cliente': 'Pepa', 'precio': '1.95'}")
    texto = _contenido(dir_registro)
    assert "Manolo" not in texto and "Pepa" not in texto
    assert "apodo_cliente=<personal>" in texto
    assert "'precio': '1.95'" in texto
    assert "objeto_id=17" in texto


def test_no_tacha_identificadores_ni_versiones(dir_registro):
    uid = "12345678-0012-3456-7890-123456789012"
    registro.registrar_evento(
        "descarga", modelo="productos.Producto", cursor="457", filas=1000, uuid=uid, version="0.1.0"
    )
    texto = _contenido(dir_registro)
    assert uid in texto and "cursor=457" in texto and "filas=1000" in texto


def test_rotacion_acotada_y_leer_recientes_en_orden(tmp_path):
    carpeta = tmp_path / "rot"
    registro.configurar(directorio=carpeta, programa="rot", tamano_maximo=2000, copias=2)
    try:
        for i in range(300):
            registro.registrar_evento("ciclo", n=i)
    finally:
        registro.desconfigurar()
    ficheros = registro.ficheros_de_registro(carpeta)
    assert [p.name for p in ficheros] == ["rot.log.2", "rot.log.1", "rot.log"]
    assert sum(p.stat().st_size for p in ficheros) <= 3 * 2000
    ultimas = registro.leer_recientes(5, carpeta)
    assert [linea.rsplit("n=", 1)[1] for linea in ultimas] == ["295", "296", "297", "298", "299"]


def test_leer_recientes_mezcla_programas_y_filtra_eventos(tmp_path):
    carpeta = tmp_path / "mezcla"
    registro.configurar(directorio=carpeta, programa="uno")
    registro.registrar_evento("a")
    logging.getLogger("agente").warning("aviso suelto")
    registro.configurar(directorio=carpeta, programa="dos")
    registro.registrar_evento("b")
    registro.desconfigurar()
    todas = registro.leer_recientes(10, carpeta)
    assert [linea.split()[-1] for linea in todas] == ["evento=a", "suelto", "evento=b"]
    assert len(registro.leer_recientes(10, carpeta, solo_eventos=True)) == 2


def test_directorio_por_terminal_no_colisiona(tmp_path, monkeypatch):
    monkeypatch.delenv(registro.VARIABLE_ENTORNO, raising=False)
    assert registro.directorio_registro(tmp_path / "caja-1") == (tmp_path / "caja-1" / "registro")
    monkeypatch.setenv(registro.VARIABLE_ENTORNO, str(tmp_path / "logs"))
    a = registro.directorio_registro(tmp_path / "caja-1")
    b = registro.directorio_registro(tmp_path / "otra" / "caja-1")
    assert a != b
    assert a.parent == b.parent == tmp_path / "logs"
    assert registro.directorio_registro(None) == tmp_path / "logs"


def test_configurar_sin_fallar_no_rompe_la_orden(tmp_path, monkeypatch):
    fichero = tmp_path / "soy-un-fichero"
    fichero.write_text("x")
    monkeypatch.setenv(registro.VARIABLE_ENTORNO, str(fichero / "logs"))
    assert registro.configurar_sin_fallar(tmp_path / "d", "sincro") is None


def test_tipo_de_evento_invalido_se_rechaza():
    with pytest.raises(ValueError, match="Tipo de evento"):
        registro.registrar_evento("Con espacios")


def test_registro_en_proceso_hijo_sin_token(tmp_path):
    """Un programa real (otro proceso) que configura el registro y registra un error HTTP."""
    import subprocess

    codigo = (
        "import logging, sys; from agente.soporte import registro;"
        f"registro.configurar(directorio={str(tmp_path)!r}, programa='hijo');"
        "logging.getLogger('agente.sincronizacion.cliente').error("
        "'HTTP 401 headers=%r', {'Authorization': 'Token ' + sys.argv[1]})"
    )
    subprocess.run([sys.executable, "-c", codigo, TOKEN], check=True, timeout=60)
    texto = (tmp_path / "hijo.log").read_text(encoding="utf-8")
    assert "HTTP 401" in texto and TOKEN not in texto
