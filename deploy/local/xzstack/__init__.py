"""The local stack of Xiangzhi: real PostgreSQL and Apache Kafka, the services and the
gateway, under one project-owned supervisord. See deploy/local/README.md."""
