"""Benches de Sincro: cada script imprime su cifra junto a una línea base medida en la misma
ejecución (un cociente). ``python -m bench`` los ejecuta todos."""
