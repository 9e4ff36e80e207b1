CREATE TABLE Users (
    tenant_id CHAR(36) NOT NULL,
    id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
