CREATE TABLE Orders (
    shop_id INT UNSIGNED NOT NULL,
    order_no BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    status ENUM('new', 'paid', 'shipped') NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    shipped_at DATETIME NULL,
    PRIMARY KEY (order_no)
) ENGINE=InnoDB;
