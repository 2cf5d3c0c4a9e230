-- Runs once, when the compose file's PostgreSQL starts on an empty volume
-- (mounted into /docker-entrypoint-initdb.d/). Airflow's metadata stays in the "airflow"
-- database; the survey data gets its own database and role, so neither can touch the other.
-- The password is a dev default, the same as in docker-compose.yml (DGOPS_DB_PASSWORD):
-- change both, or ALTER ROLE afterwards, on any machine that is not a laptop.
CREATE ROLE dgops LOGIN PASSWORD 'dgops';
CREATE DATABASE dgops OWNER dgops ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE dgops FROM PUBLIC;
