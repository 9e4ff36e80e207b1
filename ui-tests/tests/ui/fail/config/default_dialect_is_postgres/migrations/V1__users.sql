CREATE TABLE `users` (
    `tenant_id` CHAR(36) NOT NULL,
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    PRIMARY KEY (`tenant_id`, `id`)
) ENGINE=InnoDB;
