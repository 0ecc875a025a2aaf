-- First start of the compose PostgreSQL: one database per service (they share no tables).
CREATE DATABASE ledger;
CREATE DATABASE dunning;
CREATE DATABASE commission;
CREATE DATABASE billing;
CREATE DATABASE cash;
