"""Proyecto Django de demostración que ejecuta la app ``central`` con productos, clientes y
ventas, y lo que hace falta para servirla: la CLI ``sincro-central`` (``cli``) y el servidor
de producción con gunicorn (``servidor``). Una cadena real usa su propio proyecto; esto sirve
para la demo, las pruebas y las mediciones. Puede importar ``central`` y ``protocolo``; nunca
``agente`` ni ``ui``."""
