"""Concurrencia adaptativa del empuje con un reloj simulado."""

from agente.sincronizacion import empuje


class Reloj:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def simular(monkeypatch, caudal_por_nivel, maximo=4, lotes=30):
    reloj = Reloj()
    monkeypatch.setattr(empuje.time, "monotonic", reloj)
    limitador = empuje.Limitador(maximo)
    niveles = []
    for _ in range(lotes):
        niveles.append(limitador.limite)
        reloj.t += 1000 / caudal_por_nivel[limitador.limite]
        limitador.lote_terminado(1000)
    return niveles


def test_central_que_serializa_se_queda_en_uno(monkeypatch):
    niveles = simular(monkeypatch, {1: 3000, 2: 2900, 3: 2500, 4: 2000})
    assert niveles[:3] == [1, 2, 2] and set(niveles[3:]) == {1}


def test_central_lejana_sube_hasta_k(monkeypatch):
    niveles = simular(monkeypatch, {1: 500, 2: 1000, 3: 1500, 4: 2000})
    assert niveles[-1] == 4 and niveles[0] == 1


def test_k_uno_nunca_sube(monkeypatch):
    assert set(simular(monkeypatch, {1: 100}, maximo=1)) == {1}
