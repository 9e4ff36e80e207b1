-- A table whose cached struct holds the serde types that need a self-describing payload
-- format: `serde_json::Value` (jsonb) and `rust_decimal::Decimal` (numeric), each in its
-- default serde form.
CREATE TABLE documents (
    tenant_id  text NOT NULL,
    id         bigint NOT NULL,
    body       jsonb NOT NULL,
    meta       jsonb,
    amount     numeric(20, 6) NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
