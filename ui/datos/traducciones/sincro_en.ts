<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="es">
<context>
    <name>Actividad</name>
    <message>
        <location filename="../../pestanas/actividad.py" line="29"/>
        <source>Aún no ha pasado nada que contar.</source>
        <translation>Nothing to report yet.</translation>
    </message>
    <message>
        <location filename="../../pestanas/actividad.py" line="33"/>
        <source>Cuándo</source>
        <translation>When</translation>
    </message>
    <message>
        <location filename="../../pestanas/actividad.py" line="34"/>
        <source>Qué pasó</source>
        <translation>What happened</translation>
    </message>
    <message>
        <location filename="../../pestanas/actividad.py" line="35"/>
        <source>Qué hacer</source>
        <translation>What to do</translation>
    </message>
</context>
<context>
    <name>Aplicacion</name>
    <message>
        <location filename="../../app.py" line="131"/>
        <source>Caja cerrada</source>
        <translation>Till closed</translation>
    </message>
    <message>
        <location filename="../../app.py" line="304"/>
        <source>Hay %n venta ({importe}) sin enviar a la central. Está guardada y no se pierde, pero esperará hasta que Sincro vuelva a abrirse. ¿Salir de todos modos?</source>
        <translation>There is %n sale ({importe}) not yet sent to the central server. It is saved and will not be lost, but it will wait until Sincro is opened again. Quit anyway?</translation>
    </message>
    <message>
        <location filename="../../app.py" line="310"/>
        <source>Hay %n ventas ({importe}) sin enviar a la central. Están guardadas y no se pierden, pero esperarán hasta que Sincro vuelva a abrirse. ¿Salir de todos modos?</source>
        <translation>There are %n sales ({importe}) not yet sent to the central server. They are saved and will not be lost, but they will wait until Sincro is opened again. Quit anyway?</translation>
    </message>
    <message>
        <location filename="../../app.py" line="318"/>
        <source>Hay cambios sin enviar a la central (ninguna venta). Están guardados y no se pierden, pero esperarán hasta que Sincro vuelva a abrirse. ¿Salir de todos modos?</source>
        <translation>There are changes not yet sent to the central server (no sales). They are saved and will not be lost, but they will wait until Sincro is opened again. Quit anyway?</translation>
    </message>
    <message>
        <location filename="../../app.py" line="326"/>
        <source>Salir de Sincro</source>
        <translation>Quit Sincro</translation>
    </message>
</context>
<context>
    <name>Bandeja</name>
    <message>
        <location filename="../../bandeja.py" line="92"/>
        <source>en pausa</source>
        <translation>paused</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="109"/>
        <source>Sincro: {estado}</source>
        <translation>Sincro: {estado}</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="44"/>
        <source>Sin configurar</source>
        <translation>Not set up</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="46"/>
        <source>La central rechaza el token</source>
        <translation>The central server rejects the token</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="49"/>
        <source>Conflictos por revisar</source>
        <translation>Conflicts to review</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="50"/>
        <location filename="../../bandeja.py" line="87"/>
        <source>Sin conexión</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="51"/>
        <source>Error al enviar</source>
        <translation>Sending error</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="52"/>
        <source>Enviando</source>
        <translation>Sending</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="53"/>
        <source>Al día</source>
        <translation>Up to date</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="61"/>
        <source>todas las ventas enviadas</source>
        <translation>all sales uploaded</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="64"/>
        <source>%n venta ({importe}) pendiente</source>
        <translation>%n sale ({importe}) pending</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="65"/>
        <source>%n ventas ({importe}) pendientes</source>
        <translation>%n sales ({importe}) pending</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="77"/>
        <source>%n conflicto por revisar</source>
        <translation>%n conflict to review</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="78"/>
        <source>%n conflictos por revisar</source>
        <translation>%n conflicts to review</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="83"/>
        <source>Sin conexión desde {hora}</source>
        <translation>Offline since {hora}</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="98"/>
        <source>reintento en {tiempo}</source>
        <translation>retrying in {tiempo}</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="112"/>
        <source>La venta más antigua espera desde hace {tiempo}</source>
        <translation>The oldest sale has been waiting for {tiempo}</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="117"/>
        <source>Última sincronización: {hora}</source>
        <translation>Last sync: {hora}</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="122"/>
        <source>Precios a las {hora}</source>
        <translation>Prices as of {hora}</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="144"/>
        <location filename="../../bandeja.py" line="175"/>
        <source>Sincro: abriendo…</source>
        <translation>Sincro: starting…</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="180"/>
        <source>Abrir Sincro</source>
        <translation>Open Sincro</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="182"/>
        <source>Cerrar caja… (es la hora)</source>
        <translation>Close the till… (it&apos;s time)</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="184"/>
        <source>Cerrar caja…</source>
        <translation>Close the till…</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="193"/>
        <source>Sincronizar ahora</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="198"/>
        <source>Reanudar</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="200"/>
        <source>Pausar</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="202"/>
        <source>Conflictos ({n})</source>
        <translation>Conflicts ({n})</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="206"/>
        <source>Actividad</source>
        <translation>Activity</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="207"/>
        <source>Configuración</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../bandeja.py" line="209"/>
        <source>Salir</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>Campo</name>
    <message>
        <location filename="../../etiquetas.py" line="22"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="23"/>
        <source>Nombre</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="24"/>
        <source>Código EAN-13</source>
        <translation>EAN-13 code</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="25"/>
        <source>Precio</source>
        <translation>Price</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="26"/>
        <source>Stock</source>
        <translation>Stock</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="27"/>
        <source>Categoría</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="28"/>
        <source>Descripción</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="29"/>
        <source>Imagen</source>
        <translation>Image</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="30"/>
        <source>NIF</source>
        <translation>Tax ID</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="31"/>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="32"/>
        <source>Teléfono</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="33"/>
        <source>Puntos</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="34"/>
        <source>Tienda</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="35"/>
        <source>Terminal</source>
        <translation>Till</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="36"/>
        <source>Cliente</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="37"/>
        <source>Fecha</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="38"/>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="39"/>
        <source>Pagos</source>
        <translation>Payments</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="40"/>
        <source>Venta</source>
        <translation>Sale</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="41"/>
        <source>Producto</source>
        <translation>Product</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="42"/>
        <source>Cantidad</source>
        <translation>Quantity</translation>
    </message>
    <message>
        <location filename="../../etiquetas.py" line="43"/>
        <source>Precio unitario</source>
        <translation>Unit price</translation>
    </message>
</context>
<context>
    <name>Catalogo</name>
    <message>
        <location filename="../../pestanas/catalogo.py" line="38"/>
        <source>Buscar por nombre o código de barras…</source>
        <translation>Search by name or barcode…</translation>
    </message>
    <message>
        <location filename="../../pestanas/catalogo.py" line="90"/>
        <source>Contando…</source>
        <translation>Counting…</translation>
    </message>
    <message>
        <location filename="../../pestanas/catalogo.py" line="126"/>
        <source>%n fila</source>
        <translation>%n row</translation>
    </message>
    <message>
        <location filename="../../pestanas/catalogo.py" line="126"/>
        <source>%n filas</source>
        <translation>%n rows</translation>
    </message>
</context>
<context>
    <name>Cierre</name>
    <message>
        <location filename="../../cierre.py" line="50"/>
        <source>Efectivo</source>
        <translation>Cash</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="51"/>
        <source>Tarjeta</source>
        <translation>Card</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="52"/>
        <source>Bizum</source>
        <translation>Bizum</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="53"/>
        <source>Vale</source>
        <translation>Voucher</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="63"/>
        <source>%n venta</source>
        <translation>%n sale</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="63"/>
        <source>%n ventas</source>
        <translation>%n sales</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="64"/>
        <source>%n anulación</source>
        <translation>%n void</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="64"/>
        <source>%n anulaciones</source>
        <translation>%n voids</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="67"/>
        <source>%n devolución</source>
        <translation>%n refund</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="68"/>
        <source>%n devoluciones</source>
        <translation>%n refunds</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="74"/>
        <source>ninguna venta</source>
        <translation>no sales</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="81"/>
        <source>del nº {desde} al nº {hasta}</source>
        <translation>from no. {desde} to no. {hasta}</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="94"/>
        <source>La central aún no tiene %n registro de esta caja (desde las {hora}). Sincroniza antes de cerrar o fuerza el cierre indicando quién y por qué.</source>
        <translation>The central server does not have %n record from this till yet (since {hora}). Sync before closing, or force the close saying who and why.</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="99"/>
        <source>La central aún no tiene %n registros de esta caja (desde las {hora}). Sincroniza antes de cerrar o fuerza el cierre indicando quién y por qué.</source>
        <translation>The central server does not have %n records from this till yet (since {hora}). Sync before closing, or force the close saying who and why.</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="130"/>
        <location filename="../../cierre.py" line="186"/>
        <source>Cerrar caja</source>
        <translation>Close the till</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="144"/>
        <source>Forma de pago</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="144"/>
        <source>Importe</source>
        <translation>Amount</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="151"/>
        <source>opcional, p. ej. 120,50</source>
        <translation>optional, e.g. 120.50</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="159"/>
        <source>Forzar el cierre</source>
        <translation>Force the close</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="166"/>
        <source>nombre de quien fuerza el cierre</source>
        <translation>name of the person forcing the close</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="169"/>
        <source>por qué se cierra sin confirmar</source>
        <translation>why it is closed before confirmation</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="173"/>
        <source>Quién:</source>
        <translation>Who:</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="174"/>
        <source>Motivo:</source>
        <translation>Reason:</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="177"/>
        <source>Desde:</source>
        <translation>Since:</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="178"/>
        <source>Registros:</source>
        <translation>Records:</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="179"/>
        <source>Números:</source>
        <translation>Numbers:</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="180"/>
        <source>Total:</source>
        <translation>Total:</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="182"/>
        <source>Efectivo contado:</source>
        <translation>Cash counted:</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="207"/>
        <source>el cierre nº {numero} ({hora})</source>
        <translation>close no. {numero} ({hora})</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="211"/>
        <source>el principio (primer cierre de esta caja)</source>
        <translation>the start (first close of this till)</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="243"/>
        <source>Escribe un importe, p. ej. 120,50.</source>
        <translation>Type an amount, e.g. 120.50.</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="246"/>
        <source>Esperado en efectivo: {importe}</source>
        <translation>Expected in cash: {importe}</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="253"/>
        <source>Esperado {esperado}; diferencia {diferencia}</source>
        <translation>Expected {esperado}; difference {diferencia}</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="284"/>
        <source>Caja cerrada: cierre nº {numero}</source>
        <translation>Till closed: close no. {numero}</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="287"/>
        <source>total {importe}</source>
        <translation>total {importe}</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="293"/>
        <source>diferencia de efectivo {importe}</source>
        <translation>cash difference {importe}</translation>
    </message>
    <message>
        <location filename="../../cierre.py" line="298"/>
        <source>forzado</source>
        <translation>forced</translation>
    </message>
</context>
<context>
    <name>Cola</name>
    <message>
        <location filename="../../pestanas/cola.py" line="62"/>
        <source>Estado: {estado} · intentos: {intentos}</source>
        <translation>State: {estado} · attempts: {intentos}</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="68"/>
        <source>Último error: {error}</source>
        <translation>Last error: {error}</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="71"/>
        <source>Datos capturados:</source>
        <translation>Data as captured:</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="58"/>
        <source>{tipo} de {objeto}</source>
        <translation>{tipo} of {objeto}</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="65"/>
        <source>Capturada: {hora}</source>
        <translation>Captured: {hora}</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="76"/>
        <source>Valores que había en la central al capturarla:</source>
        <translation>Values on the central server when it was captured:</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="81"/>
        <source>Detalles técnicos:</source>
        <translation>Technical details:</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="82"/>
        <source>Identificador: {uuid}</source>
        <translation>Identifier: {uuid}</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="83"/>
        <source>Desfase de reloj al capturarla: {ms} ms</source>
        <translation>Clock offset when captured: {ms} ms</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="89"/>
        <source>Versión de la central al capturarla: {v}</source>
        <translation>Central server version when captured: {v}</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="96"/>
        <source>Resuelta por {quien}: {motivo}</source>
        <translation>Resolved by {quien}: {motivo}</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="109"/>
        <source>Todos los estados</source>
        <translation>All states</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="114"/>
        <source>Todos los modelos</source>
        <translation>All models</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="126"/>
        <source>&amp;Reintentar</source>
        <translation>&amp;Retry</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="127"/>
        <source>&amp;Descartar…</source>
        <translation>&amp;Discard…</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="134"/>
        <source>Estado:</source>
        <translation>State:</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="136"/>
        <source>Modelo:</source>
        <translation>Model:</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="197"/>
        <source>%n operación</source>
        <translation>%n operation</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="198"/>
        <source>%n operaciones</source>
        <translation>%n operations</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="255"/>
        <source>El {tipo} de {objeto} no llegará nunca a la central. ¿Descartarlo?</source>
        <translation>The {tipo} of {objeto} will never reach the central server. Discard it?</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="289"/>
        <source>{objeto}: {estado}.</source>
        <translation>{objeto}: {estado}.</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="220"/>
        <source>Elige una operación para ver sus datos tal como se capturaron.</source>
        <translation>Select an operation to see its data exactly as captured.</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="244"/>
        <location filename="../../pestanas/cola.py" line="254"/>
        <source>Descartar operación</source>
        <translation>Discard operation</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="245"/>
        <source>Motivo del descarte (queda en la auditoría; la operación no se enviará):</source>
        <translation>Reason for discarding (kept in the audit log; the operation will not be sent):</translation>
    </message>
    <message>
        <location filename="../../pestanas/cola.py" line="273"/>
        <source>Sin motivo no se descarta nada.</source>
        <translation>Nothing is discarded without a reason.</translation>
    </message>
</context>
<context>
    <name>Configuracion</name>
    <message>
        <location filename="../../pestanas/configuracion.py" line="43"/>
        <source>https://central.ejemplo.com/sincro</source>
        <translation>https://central.example.com/sincro</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="51"/>
        <source>Permitir http sin cifrar (sólo pruebas)</source>
        <translation>Allow unencrypted http (testing only)</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="54"/>
        <source>Arrancar Sincro al iniciar la sesión</source>
        <translation>Start Sincro when the session starts</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="65"/>
        <source>El del sistema</source>
        <translation>System default</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="77"/>
        <source>&amp;Probar conexión</source>
        <translation>&amp;Test connection</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="78"/>
        <source>&amp;Guardar</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="83"/>
        <source>Servidor central:</source>
        <translation>Central server:</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="84"/>
        <source>Tienda:</source>
        <translation>Store:</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="85"/>
        <source>Terminal:</source>
        <translation>Terminal:</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="86"/>
        <source>Token:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="91"/>
        <source>Avisar si no hay conexión durante más de:</source>
        <translation>Notify when offline for longer than:</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="94"/>
        <source>Idioma:</source>
        <translation>Language:</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="120"/>
        <source>Guardado en el llavero (escribe uno nuevo para cambiarlo)</source>
        <translation>Stored in the keyring (type a new one to change it)</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="122"/>
        <source>Pega el token que da la central</source>
        <translation>Paste the token issued by the central server</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="125"/>
        <source>Llavero: {llavero}</source>
        <translation>Keyring: {llavero}</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="145"/>
        <source>Comprobando con la central…</source>
        <translation>Checking with the central server…</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="160"/>
        <source>Guardando…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="173"/>
        <source>Configuración guardada; el token, en el llavero.</source>
        <translation>Settings saved; the token is in the keyring.</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="182"/>
        <source>La central rechaza ese token: no se ha guardado nada y se sigue usando el anterior.</source>
        <translation>The central server rejects that token: nothing was saved and the previous one is still in use.</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="190"/>
        <source>No se pudo comprobar el token nuevo porque la central no responde: no se ha guardado nada y se sigue usando el anterior.</source>
        <translation>The new token could not be checked because the central server does not answer: nothing was saved and the previous one is still in use.</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="199"/>
        <source>No se pudo: {mensaje}</source>
        <translation>Could not do it: {mensaje}</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="203"/>
        <source>Probando la conexión…</source>
        <translation>Testing the connection…</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="220"/>
        <source>Conexión correcta: token aceptado, {n} modelos, {ms} ms de ida y vuelta, desfase de reloj {desfase} ms.</source>
        <translation>Connection OK: token accepted, {n} models, {ms} ms round trip, clock offset {desfase} ms.</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="226"/>
        <source>La central responde ({ms} ms, desfase {desfase} ms), pero falta el token para comprobar el acceso.</source>
        <translation>The central server answers ({ms} ms, offset {desfase} ms), but a token is needed to check access.</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="255"/>
        <source>Sincro arrancará con la sesión.</source>
        <translation>Sincro will start with the session.</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="257"/>
        <source>Sincro no arrancará con la sesión.</source>
        <translation>Sincro will not start with the session.</translation>
    </message>
    <message>
        <location filename="../../pestanas/configuracion.py" line="271"/>
        <source>El idioma se aplicará la próxima vez que abras Sincro.</source>
        <translation>The language will apply the next time you open Sincro.</translation>
    </message>
</context>
<context>
    <name>Conflictos</name>
    <message>
        <location filename="../../pestanas/conflictos.py" line="43"/>
        <source>&amp;Revisar…</source>
        <translation>&amp;Review…</translation>
    </message>
    <message>
        <location filename="../../pestanas/conflictos.py" line="64"/>
        <source>%n conflicto abierto</source>
        <translation>%n open conflict</translation>
    </message>
    <message>
        <location filename="../../pestanas/conflictos.py" line="65"/>
        <source>%n conflictos abiertos</source>
        <translation>%n open conflicts</translation>
    </message>
    <message>
        <location filename="../../pestanas/conflictos.py" line="120"/>
        <source>%n conflicto resuelto.</source>
        <translation>%n conflict resolved.</translation>
    </message>
    <message>
        <location filename="../../pestanas/conflictos.py" line="121"/>
        <source>%n conflictos resueltos.</source>
        <translation>%n conflicts resolved.</translation>
    </message>
    <message>
        <location filename="../../pestanas/conflictos.py" line="131"/>
        <source>No se pudo resolver %n: {detalle}</source>
        <translation>%n could not be resolved: {detalle}</translation>
    </message>
    <message>
        <location filename="../../pestanas/conflictos.py" line="132"/>
        <source>No se pudieron resolver %n: {detalle}</source>
        <translation>%n could not be resolved: {detalle}</translation>
    </message>
    <message>
        <location filename="../../pestanas/conflictos.py" line="68"/>
        <source>No hay conflictos abiertos: nada que revisar.</source>
        <translation>No open conflicts: nothing to review.</translation>
    </message>
</context>
<context>
    <name>DialogoConflicto</name>
    <message>
        <location filename="../../dialogo_conflicto.py" line="75"/>
        <source>Campo</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="67"/>
        <location filename="../../dialogo_conflicto.py" line="76"/>
        <source>Base</source>
        <translation>Base</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="65"/>
        <location filename="../../dialogo_conflicto.py" line="77"/>
        <source>Esta terminal</source>
        <translation>This terminal</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="66"/>
        <location filename="../../dialogo_conflicto.py" line="78"/>
        <source>Central</source>
        <translation>Central</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="68"/>
        <source>Regla</source>
        <translation>Rule</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="79"/>
        <source>Usar</source>
        <translation>Use</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="80"/>
        <source>Valor final</source>
        <translation>Final value</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="90"/>
        <source>{tipo} capturado en esta terminal: {hora}</source>
        <translation>{tipo} captured on this terminal: {hora}</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="98"/>
        <source>la central ya lo había borrado</source>
        <translation>the central server had already deleted it</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="104"/>
        <source>la central lo cambió ({quien}): {hora}</source>
        <translation>the central server changed it ({quien}): {hora}</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="108"/>
        <source>la central lo cambió: {hora}</source>
        <translation>the central server changed it: {hora}</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="128"/>
        <source>Revisar conflicto</source>
        <translation>Review conflict</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="163"/>
        <source>Usar todo de esta &amp;terminal</source>
        <translation>Use all from this &amp;terminal</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="166"/>
        <source>Usar todo de la &amp;central</source>
        <translation>Use all from &amp;central</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="171"/>
        <source>← Anterior</source>
        <translation>← Previous</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="172"/>
        <source>Siguiente →</source>
        <translation>Next →</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="190"/>
        <source>Obligatorio: queda en el registro de auditoría</source>
        <translation>Required: kept in the audit log</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="196"/>
        <source>&amp;Aplicar resolución</source>
        <translation>&amp;Apply resolution</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="199"/>
        <source>Cerrar</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="214"/>
        <source>Encargado:</source>
        <translation>Manager:</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="215"/>
        <source>Motivo:</source>
        <translation>Reason:</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="267"/>
        <source>[{n} de {total}]</source>
        <translation>[{n} of {total}]</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="276"/>
        <source>Identificador: {uuid}</source>
        <translation>Identifier: {uuid}</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="292"/>
        <source>Aplicar la misma elección al otro conflicto parecido</source>
        <translation>Apply the same choice to the other similar conflict</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="295"/>
        <source>Aplicar la misma elección a los %n conflictos parecidos restantes</source>
        <translation>Apply the same choice to the remaining %n similar conflicts</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="285"/>
        <source>Este conflicto ya está resuelto.</source>
        <translation>This conflict is already resolved.</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="314"/>
        <source>Un valor escrito a mano sólo vale para este objeto: no se puede aplicar a los parecidos.</source>
        <translation>A value typed by hand only applies to this object: it cannot be applied to similar conflicts.</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="326"/>
        <source>(borra el objeto)</source>
        <translation>(deletes the object)</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="328"/>
        <source>(borrado en la central)</source>
        <translation>(deleted on central)</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="334"/>
        <source>(sin cambios)</source>
        <translation>(unchanged)</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="348"/>
        <source>{campo} (lo decidió una regla)</source>
        <translation>{campo} (decided by a rule)</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="366"/>
        <source>Esta operación no cambia este campo</source>
        <translation>This operation does not change this field</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="373"/>
        <source>Terminal y central difieren en este campo</source>
        <translation>Terminal and central differ in this field</translation>
    </message>
    <message>
        <location filename="../../dialogo_conflicto.py" line="69"/>
        <source>Otro valor…</source>
        <translation>Other value…</translation>
    </message>
</context>
<context>
    <name>Errores</name>
    <message>
        <location filename="../../errores.py" line="67"/>
        <source>Esta terminal aún no está configurada: abre Configuración y pega el token que da la central.</source>
        <translation>This terminal is not set up yet: open Settings and paste the token from the central server.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="73"/>
        <source>La dirección de la central debe empezar por https:// (http sin cifrar sólo para pruebas, marcándolo en Configuración).</source>
        <translation>The central server address must start with https:// (unencrypted http only for testing, ticking it in Settings).</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="80"/>
        <source>La conexión con la central no es segura (su certificado no es válido): no se envía nada. Avisa a quien mantiene la central; las ventas siguen guardadas.</source>
        <translation>The connection to the central server is not secure (its certificate is not valid): nothing is sent. Tell whoever runs the central server; sales are still saved.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="87"/>
        <source>La central rechaza el token de esta terminal: pide uno nuevo y guárdalo en Configuración. Nada se pierde.</source>
        <translation>The central server rejects this terminal&apos;s token: ask for a new one and save it in Settings. Nothing is lost.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="94"/>
        <source>La central no responde desde las {hora}; las ventas se guardan y se enviarán solas.</source>
        <translation>The central server has not answered since {hora}; sales are saved and will be sent automatically.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="100"/>
        <source>La central no responde; las ventas se guardan y se enviarán solas.</source>
        <translation>The central server does not answer; sales are saved and will be sent automatically.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="105"/>
        <source>El disco está lleno: libera espacio. Lo ya guardado no se pierde.</source>
        <translation>The disk is full: free some space. What is already saved is not lost.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="109"/>
        <source>Sincro no tiene permiso para escribir en su carpeta de datos: avisa a quien mantiene este equipo.</source>
        <translation>Sincro cannot write to its data folder: tell whoever looks after this computer.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="115"/>
        <source>Otro programa está usando los datos de Sincro; se volverá a intentar.</source>
        <translation>Another program is using Sincro&apos;s data; it will try again.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="119"/>
        <source>La central tiene un problema y no acepta envíos ahora; se volverá a intentar sola.</source>
        <translation>The central server has a problem and is not accepting uploads now; it will try again automatically.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="50"/>
        <source>Algo falló; se volverá a intentar. El detalle técnico está en «Detalles».</source>
        <translation>Something failed; it will try again. The technical detail is under “Details”.</translation>
    </message>
    <message>
        <location filename="../../errores.py" line="159"/>
        <source>Detalles</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>Estado</name>
    <message>
        <location filename="../../pestanas/estado.py" line="30"/>
        <source>al día</source>
        <translation>up to date</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="31"/>
        <source>sincronizando</source>
        <translation>syncing</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="32"/>
        <source>sin conexión</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="33"/>
        <source>error de autenticación</source>
        <translation>authentication error</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="34"/>
        <source>error del servidor</source>
        <translation>server error</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="35"/>
        <source>sin configurar</source>
        <translation>not configured</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="43"/>
        <source>Enviándose</source>
        <translation>Sending</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="44"/>
        <source>En conflicto</source>
        <translation>In conflict</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="79"/>
        <source>ninguna: todas las ventas están en la central</source>
        <translation>none: all sales are on the central server</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="82"/>
        <source>%n venta ({importe}), de hace {tiempo}</source>
        <translation>%n sale ({importe}), from {tiempo} ago</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="83"/>
        <source>%n ventas ({importe}), la más antigua de hace {tiempo}</source>
        <translation>%n sales ({importe}), the oldest from {tiempo} ago</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="106"/>
        <source>Conexión:</source>
        <translation>Connection:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="108"/>
        <source>Lista para vender sin conexión:</source>
        <translation>Ready to sell offline:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="109"/>
        <source>Ventas sin confirmar:</source>
        <translation>Unconfirmed sales:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="111"/>
        <source>Última subida correcta:</source>
        <translation>Last successful upload:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="112"/>
        <source>Última bajada correcta:</source>
        <translation>Last successful download:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="113"/>
        <source>Desfase del reloj:</source>
        <translation>Clock offset:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="42"/>
        <source>Por enviar</source>
        <translation>To send</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="45"/>
        <source>Rechazado por la central</source>
        <translation>Rejected by the central server</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="46"/>
        <source>Confirmado</source>
        <translation>Confirmed</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="47"/>
        <source>Descartado</source>
        <translation>Discarded</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="58"/>
        <source>%n venta</source>
        <translation>%n sale</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="58"/>
        <source>%n ventas</source>
        <translation>%n sales</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="61"/>
        <source>%n ajuste de stock</source>
        <translation>%n stock adjustment</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="62"/>
        <source>%n ajustes de stock</source>
        <translation>%n stock adjustments</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="66"/>
        <source>%n cambio del catálogo</source>
        <translation>%n catalogue change</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="67"/>
        <source>%n cambios del catálogo</source>
        <translation>%n catalogue changes</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="73"/>
        <source>nada</source>
        <translation>nothing</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="110"/>
        <source>Lo más antiguo por enviar:</source>
        <translation>Oldest item to send:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="123"/>
        <source>Cola de envío a la central</source>
        <translation>Queue to the central server</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="136"/>
        <source>Catálogo local por modelo:</source>
        <translation>Local catalogue per model:</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="143"/>
        <source>en pausa</source>
        <translation>paused</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="147"/>
        <source>Todo enviado y al día.</source>
        <translation>Everything sent and up to date.</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="149"/>
        <source>Hablando con la central…</source>
        <translation>Talking to the central server…</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="157"/>
        <source>sí: los modelos críticos están completos</source>
        <translation>yes: critical models are complete</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="159"/>
        <source>NO: faltan datos de modelos críticos</source>
        <translation>NO: critical model data is missing</translation>
    </message>
    <message>
        <location filename="../../pestanas/estado.py" line="169"/>
        <source>{ms} ms</source>
        <translation>{ms} ms</translation>
    </message>
</context>
<context>
    <name>Eventos</name>
    <message>
        <location filename="../../eventos.py" line="62"/>
        <source>el alta</source>
        <translation>the creation</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="63"/>
        <source>el cambio</source>
        <translation>the change</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="64"/>
        <source>la baja</source>
        <translation>the deletion</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="65"/>
        <source>el ajuste</source>
        <translation>the adjustment</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="67"/>
        <source>la operación</source>
        <translation>the operation</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="83"/>
        <source>%n fila descargada</source>
        <translation>%n row downloaded</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="84"/>
        <source>%n filas descargadas</source>
        <translation>%n rows downloaded</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="87"/>
        <source>Sincronización completa: nada nuevo que enviar; {filas}.</source>
        <translation>Sync complete: nothing new to send; {filas}.</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="92"/>
        <source>Sincronización completa: %n operación enviada ({completadas} confirmadas, {conflictos} en conflicto, {rechazadas} rechazadas); {filas}.</source>
        <translation>Sync complete: %n operation sent ({completadas} confirmed, {conflictos} in conflict, {rechazadas} rejected); {filas}.</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="97"/>
        <source>Sincronización completa: %n operaciones enviadas ({completadas} confirmadas, {conflictos} en conflicto, {rechazadas} rechazadas); {filas}.</source>
        <translation>Sync complete: %n operations sent ({completadas} confirmed, {conflictos} in conflict, {rechazadas} rejected); {filas}.</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="109"/>
        <source>{quien} resolvió a mano el conflicto de {objeto}: {motivo}</source>
        <translation>{quien} resolved the conflict on {objeto} by hand: {motivo}</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="113"/>
        <source>{quien} descartó el cambio en conflicto de {objeto}: {motivo}</source>
        <translation>{quien} discarded the conflicting change to {objeto}: {motivo}</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="117"/>
        <source>{quien} descartó la operación rechazada de {objeto}: {motivo}</source>
        <translation>{quien} discarded the rejected operation on {objeto}: {motivo}</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="121"/>
        <source>{quien} volvió a enviar la operación de {objeto}.</source>
        <translation>{quien} sent the operation on {objeto} again.</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="127"/>
        <source>La sincronización no se completó; se volverá a intentar. El detalle técnico sale al dejar el ratón encima.</source>
        <translation>Synchronisation did not complete; it will be retried. Hover over this line for the technical detail.</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="132"/>
        <source>La sincronización falló: {mensaje}</source>
        <translation>Sync failed: {mensaje}</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="135"/>
        <source>La central rechazó {tipo} de {objeto}: {motivo}</source>
        <translation>The central rejected {tipo} of {objeto}: {motivo}</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="138"/>
        <source>La central rechazó la operación {uuid}: {motivo}</source>
        <translation>The central server rejected operation {uuid}: {motivo}</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="142"/>
        <source>Se vuelve a descargar entero el modelo {modelo} ({motivo}).</source>
        <translation>Downloading model {modelo} again in full ({motivo}).</translation>
    </message>
    <message>
        <location filename="../../eventos.py" line="146"/>
        <source>Descarga completa del modelo {modelo} ({motivo}).</source>
        <translation>Full download of model {modelo} ({motivo}).</translation>
    </message>
</context>
<context>
    <name>Formato</name>
    <message>
        <location filename="../../formato.py" line="21"/>
        <source>sí</source>
        <translation>yes</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="21"/>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="39"/>
        <source>{n} s</source>
        <translation>{n} s</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="41"/>
        <source>{n} min</source>
        <translation>{n} min</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="43"/>
        <source>{h} h {m} min</source>
        <translation>{h} h {m} min</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="44"/>
        <source>{d} d {h} h</source>
        <translation>{d} d {h} h</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="50"/>
        <location filename="../../formato.py" line="57"/>
        <source>nunca</source>
        <translation>never</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="59"/>
        <source>hace {duracion}</source>
        <translation>{duracion} ago</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="119"/>
        <source>pendiente</source>
        <translation>pending</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="120"/>
        <source>enviándose</source>
        <translation>sending</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="121"/>
        <source>confirmada</source>
        <translation>confirmed</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="122"/>
        <source>en conflicto</source>
        <translation>in conflict</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="123"/>
        <source>rechazada</source>
        <translation>rejected</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="124"/>
        <source>descartada</source>
        <translation>discarded</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="132"/>
        <source>alta</source>
        <translation>creation</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="133"/>
        <source>cambio</source>
        <translation>change</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="134"/>
        <source>baja</source>
        <translation>deletion</translation>
    </message>
    <message>
        <location filename="../../formato.py" line="135"/>
        <source>ajuste</source>
        <translation>adjustment</translation>
    </message>
</context>
<context>
    <name>GraficoActividad</name>
    <message>
        <location filename="../../pestanas/grafico.py" line="55"/>
        <source>Últimas {h} h · azul: operaciones en cola · verde: enviadas por minuto</source>
        <translation>Last {h} h · blue: operations in queue · green: sent per minute</translation>
    </message>
    <message>
        <location filename="../../pestanas/grafico.py" line="65"/>
        <source>Sin datos todavía</source>
        <translation>No data yet</translation>
    </message>
</context>
<context>
    <name>ModeloCola</name>
    <message>
        <location filename="../../modelos/cola.py" line="33"/>
        <source>Revísalo en la pestaña Conflictos.</source>
        <translation>Review it in the Conflicts tab.</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="40"/>
        <source>N.º</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="41"/>
        <source>Estado</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="42"/>
        <source>Modelo</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="43"/>
        <source>Tipo</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="44"/>
        <source>Objeto</source>
        <translation>Object</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="45"/>
        <source>Capturada</source>
        <translation>Captured</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="46"/>
        <source>Intentos</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <location filename="../../modelos/cola.py" line="49"/>
        <source>Último error</source>
        <translation>Last error</translation>
    </message>
</context>
<context>
    <name>ModeloConflictos</name>
    <message>
        <location filename="../../modelos/conflictos.py" line="19"/>
        <source>N.º</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../modelos/conflictos.py" line="20"/>
        <source>Modelo</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../modelos/conflictos.py" line="21"/>
        <source>Objeto</source>
        <translation>Object</translation>
    </message>
    <message>
        <location filename="../../modelos/conflictos.py" line="22"/>
        <source>Cambio</source>
        <translation>Change</translation>
    </message>
    <message>
        <location filename="../../modelos/conflictos.py" line="25"/>
        <source>Campos en disputa</source>
        <translation>Disputed fields</translation>
    </message>
    <message>
        <location filename="../../modelos/conflictos.py" line="28"/>
        <source>Desde</source>
        <translation>Since</translation>
    </message>
</context>
<context>
    <name>ModeloFrescura</name>
    <message>
        <location filename="../../modelos/frescura.py" line="26"/>
        <source>Modelo</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../modelos/frescura.py" line="27"/>
        <source>Crítico</source>
        <translation>Critical</translation>
    </message>
    <message>
        <location filename="../../modelos/frescura.py" line="28"/>
        <source>Filas</source>
        <translation>Rows</translation>
    </message>
    <message>
        <location filename="../../modelos/frescura.py" line="29"/>
        <source>Completo</source>
        <translation>Complete</translation>
    </message>
    <message>
        <location filename="../../modelos/frescura.py" line="32"/>
        <source>Actualizado hasta</source>
        <translation>Up to date as of</translation>
    </message>
    <message>
        <location filename="../../modelos/frescura.py" line="48"/>
        <source>Cursor de descarga: {cursor}</source>
        <translation>Download cursor: {cursor}</translation>
    </message>
    <message>
        <location filename="../../modelos/frescura.py" line="59"/>
        <source>{hora} ({hace})</source>
        <translation>{hora} ({hace})</translation>
    </message>
    <message>
        <location filename="../../modelos/frescura.py" line="35"/>
        <source>Prioridad de envío</source>
        <translation>Send priority</translation>
    </message>
</context>
<context>
    <name>ModeloRegistro</name>
    <message>
        <location filename="../../modelos/registro.py" line="20"/>
        <source>Hora</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../modelos/registro.py" line="21"/>
        <source>Nivel</source>
        <translation>Level</translation>
    </message>
    <message>
        <location filename="../../modelos/registro.py" line="22"/>
        <source>Qué pasó</source>
        <translation>What happened</translation>
    </message>
</context>
<context>
    <name>Nombres</name>
    <message>
        <location filename="../../formato.py" line="30"/>
        <source>{modelo} de {referido}</source>
        <translation>{modelo} for {referido}</translation>
    </message>
</context>
<context>
    <name>Notificaciones</name>
    <message>
        <location filename="../../notificaciones.py" line="98"/>
        <source>Conflictos nuevos</source>
        <translation>New conflicts</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="107"/>
        <source>Sin conexión con la central</source>
        <translation>No connection to the central server</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="101"/>
        <source>%n cambio necesita que un encargado lo revise.</source>
        <translation>%n change needs a manager to review it.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="102"/>
        <source>%n cambios necesitan que un encargado los revise.</source>
        <translation>%n changes need a manager to review them.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="110"/>
        <source>La central no responde desde las {hora}. Puedes seguir vendiendo: %n venta ({importe}) está guardada y se enviará sola.</source>
        <translation>The central server has not answered since {hora}. You can keep selling: %n sale ({importe}) is saved and will be sent automatically.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="115"/>
        <source>La central no responde desde las {hora}. Puedes seguir vendiendo: %n ventas ({importe}) están guardadas y se enviarán solas.</source>
        <translation>The central server has not answered since {hora}. You can keep selling: %n sales ({importe}) are saved and will be sent automatically.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="124"/>
        <source>Hora de cerrar la caja</source>
        <translation>Time to close the till</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="125"/>
        <source>Ha llegado la hora de cierre y la caja sigue abierta: ciérrala desde Sincro.</source>
        <translation>Closing time has come and the till is still open: close it from Sincro.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="132"/>
        <source>La central rechaza el token</source>
        <translation>The central server rejects the token</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="133"/>
        <source>La sincronización está parada (nada se pierde). Pide un token nuevo y guárdalo en Configuración.</source>
        <translation>Sync is stopped (nothing is lost). Ask for a new token and save it in Settings.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="142"/>
        <source>De nuevo en línea: %n venta enviada a la central.</source>
        <translation>Back online: %n sale uploaded to the central server.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="143"/>
        <source>De nuevo en línea: %n ventas enviadas a la central.</source>
        <translation>Back online: %n sales uploaded to the central server.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="146"/>
        <source>De nuevo en línea: todo enviado a la central.</source>
        <translation>Back online: everything uploaded to the central server.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="147"/>
        <source>Conexión recuperada</source>
        <translation>Back online</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="153"/>
        <source>Un encargado debe revisarlos en Conflictos.</source>
        <translation>A manager must review them in Conflicts.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="155"/>
        <source>Pide un token nuevo y guárdalo en Configuración.</source>
        <translation>Ask for a new token and save it in Settings.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="157"/>
        <source>Nada: sigue vendiendo; revisa la red si dura.</source>
        <translation>Nothing: keep selling; check the network if it lasts.</translation>
    </message>
    <message>
        <location filename="../../notificaciones.py" line="159"/>
        <source>Elige «Cerrar caja…» en el menú de Sincro.</source>
        <translation>Choose “Close the till…” in the Sincro menu.</translation>
    </message>
</context>
<context>
    <name>Registro</name>
    <message>
        <location filename="../../pestanas/registro.py" line="38"/>
        <source>Sólo eventos de sincronización y errores</source>
        <translation>Only sync events and errors</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="42"/>
        <source>&amp;Actualizar</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="64"/>
        <source>La central confirmó %n operación en las últimas 24 h.</source>
        <translation>The central server confirmed %n operation in the last 24 h.</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="65"/>
        <source>La central confirmó %n operaciones en las últimas 24 h.</source>
        <translation>The central server confirmed %n operations in the last 24 h.</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="91"/>
        <source>info</source>
        <translation>info</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="92"/>
        <source>aviso</source>
        <translation>warning</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="93"/>
        <source>error</source>
        <translation>error</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="94"/>
        <source>error grave</source>
        <translation>critical</translation>
    </message>
    <message>
        <location filename="../../pestanas/registro.py" line="95"/>
        <source>detalle</source>
        <translation>debug</translation>
    </message>
</context>
<context>
    <name>Ventana</name>
    <message>
        <location filename="../../ventana.py" line="62"/>
        <source>se guardan y se enviarán solas</source>
        <translation>they are saved and will be sent automatically</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="68"/>
        <source>Todas las ventas enviadas a la central.</source>
        <translation>All sales uploaded to the central server.</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="98"/>
        <source>Estado</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="99"/>
        <source>Cola</source>
        <translation>Queue</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="100"/>
        <location filename="../../ventana.py" line="193"/>
        <source>Conflictos</source>
        <translation>Conflicts</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="101"/>
        <source>Catálogo</source>
        <translation>Catalogue</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="102"/>
        <source>Registro</source>
        <translation>Log</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="103"/>
        <source>Configuración</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="104"/>
        <source>Actividad</source>
        <translation>Activity</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="108"/>
        <source>Cerrar caja…</source>
        <translation>Close the till…</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="111"/>
        <source>Cierre del día (Z): resumen, efectivo contado y cierre</source>
        <translation>End-of-day close (Z): summary, cash counted and close</translation>
    </message>
    <message>
        <location filename="../../ventana.py" line="191"/>
        <source>Conflictos ({n})</source>
        <translation>Conflicts ({n})</translation>
    </message>
</context>
<context>
    <name>VistaPrevia</name>
    <message>
        <location filename="../../vista_previa.py" line="30"/>
        <source>existe</source>
        <translation>exists</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="30"/>
        <source>borrado</source>
        <translation>deleted</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="41"/>
        <source>Resolver varios conflictos</source>
        <translation>Resolve several conflicts</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="47"/>
        <source>Se resolverá %n conflicto con la elección de cada campo; revisa cómo quedará:</source>
        <translation>%n conflict will be resolved with the choice for each field; check how it will end up:</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="51"/>
        <source>Se resolverán %n conflictos con la misma elección por campo. Cada uno usa sus propios valores; revisa cómo quedará cada objeto:</source>
        <translation>%n conflicts will be resolved with the same choice per field. Each one uses its own values; check how each object will end up:</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="63"/>
        <source>Objeto y campo</source>
        <translation>Object and field</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="64"/>
        <source>En la central ahora</source>
        <translation>On the central server now</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="65"/>
        <source>Quedará</source>
        <translation>Will be</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="74"/>
        <source>(sin cambios en la central)</source>
        <translation>(no change on the central server)</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="77"/>
        <source>objeto</source>
        <translation>object</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="92"/>
        <source>Aplicar a %n objeto</source>
        <translation>Apply to %n object</translation>
    </message>
    <message>
        <location filename="../../vista_previa.py" line="93"/>
        <source>Aplicar a %n objetos</source>
        <translation>Apply to %n objects</translation>
    </message>
</context>
</TS>
