"""The one library every Xiangzhi service uses: settings, database, migrations, outbox,
event envelope, consumer, telemetry, auth, health and metrics."""
