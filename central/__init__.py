"""App Django de referencia que habla el protocolo de sincronización v1."""
