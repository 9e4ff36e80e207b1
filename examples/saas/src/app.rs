//! The HTTP API: axum routes over PostgreSQL, a tiered cache (local tier over Redis, kept
//! coherent by Redis Pub/Sub) per table, an invalidation on every write, edge tags on every
//! response, and, with Varnish nodes configured, the bridge that purges them.
//!
//! | route | what |
//! |---|---|
//! | `POST /tenants` `{"slug","name"}` | creates a tenant |
//! | `GET /tenants/{tenant}` | a tenant (cached, global table) |
//! | `GET /t/{tenant}/users` | the tenant's users (tags: each row, the table) |
//! | `POST /t/{tenant}/users` `{"email","full_name"}` | creates a user; invalidates the table (lists change) |
//! | `GET /t/{tenant}/users/{id}` | a user (cached) |
//! | `PUT /t/{tenant}/users/{id}` `{"email"?,"full_name"?}` | changes a user; invalidates its key |
//! | `GET /t/{tenant}/projects/{id}`, `POST /t/{tenant}/projects`, `PUT /t/{tenant}/projects/{id}` | the same for projects |
//!
//! Responses say where a row came from in `x-served-from` (`cache` or `database`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cache_contract::edge::{
    BridgeConfig, Cdn, ContractGuard, EdgeBridge, EdgeTagLayer, Purger, Rendered, VarnishExecutor,
};
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::tiered::{LoadError, RedisTier, TieredCache};
use cache_contract::{CacheContract, TenantId};
use serde::Deserialize;
use tokio_postgres::{Client, NoTls, Row};
use uuid::Uuid;

use crate::contracts::{Project, Tenant, User};

/// How an instance is configured (see the crate README for the environment variables the
/// binary reads).
#[derive(Debug, Clone)]
pub struct Config {
    /// PostgreSQL, e.g. `postgres://postgres@127.0.0.1:5432/saas` (created when missing).
    pub database_url: String,
    /// Redis, e.g. `redis://127.0.0.1:6379`.
    pub redis_url: String,
    /// Where the API listens (port 0: any free port).
    pub listen: SocketAddr,
    /// Prefix of this deployment's Redis keys.
    pub redis_prefix: String,
    /// The Pub/Sub channel of this deployment's invalidations.
    pub channel: String,
    /// Varnish nodes to purge (base URLs); empty: no edge purges from this instance.
    pub varnish_nodes: Vec<String>,
    /// The migrations to apply at start.
    pub migrations: PathBuf,
}

impl Config {
    /// The defaults: local PostgreSQL database `saas`, local Redis, `127.0.0.1:3000`,
    /// prefix `saas:`, channel `saas:invalidations`, no Varnish.
    pub fn local() -> Self {
        Config {
            database_url: "postgres://postgres@127.0.0.1:5432/saas".into(),
            redis_url: "redis://127.0.0.1:6379".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            redis_prefix: "saas:".into(),
            channel: "saas:invalidations".into(),
            varnish_nodes: Vec::new(),
            migrations: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")),
        }
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

struct AppState {
    db: Client,
    tenants: TieredCache<Tenant>,
    users: TieredCache<User>,
    projects: TieredCache<Project>,
}

/// A running instance; dropping it stops the server and the bridge.
pub struct Running {
    /// Where the API listens.
    pub addr: SocketAddr,
    /// The edge bridge, when Varnish nodes are configured.
    pub bridge: Option<EdgeBridge>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// `url` with its password replaced by `***`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let colon = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..colon], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Connects to the database, creating it first when it does not exist.
async fn connect(url: &str) -> Result<Client, Error> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| format!("DATABASE_URL `{}`: {e}", redact(url)))?;
    let name = config.get_dbname().unwrap_or("postgres").to_string();
    let open = |config: tokio_postgres::Config| async move {
        let (client, connection) = config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(error = %e, "PostgreSQL connection lost");
            }
        });
        Ok::<_, tokio_postgres::Error>(client)
    };
    match open(config.clone()).await {
        Ok(client) => Ok(client),
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME) => {
            let mut admin = config.clone();
            admin.dbname("postgres");
            let admin = open(admin).await?;
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            admin
                .batch_execute(&format!("CREATE DATABASE {quoted}"))
                .await?;
            Ok(open(config).await?)
        }
        Err(e) => Err(format!(
            "cannot connect to PostgreSQL at {}: {e} (start it, or set DATABASE_URL)",
            redact(url)
        )
        .into()),
    }
}

/// Starts an instance: migrations, caches, the bridge, the HTTP server.
pub async fn start(config: Config) -> Result<Running, Error> {
    let mut db = connect(&config.database_url).await?;
    let applied = crate::migrate::apply(&mut db, &config.migrations).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    let redis = redis::Client::open(config.redis_url.as_str())?;
    let pubsub_config = PubSubConfig::new(&config.channel);
    let subscriber = pubsub::subscriber(redis.clone(), pubsub_config.clone());
    subscriber
        .wait_connected(Duration::from_secs(5))
        .await
        .map_err(|e| {
            format!(
                "Redis at {}: {e} (start redis-server, or set REDIS_URL)",
                redact(&config.redis_url)
            )
        })?;
    let publisher = pubsub::publisher(redis.clone(), &pubsub_config).await?;
    macro_rules! cache {
        () => {
            TieredCache::builder()
                .redis(
                    RedisTier::connect(
                        &config.redis_url,
                        config.redis_prefix.clone(),
                        Duration::from_secs(300),
                    )
                    .await?,
                )
                .publisher(publisher.clone())
                .subscriber(subscriber.clone())
                .build()?
        };
    }
    let state = Arc::new(AppState {
        db,
        tenants: cache!(),
        users: cache!(),
        projects: cache!(),
    });
    let bridge = if config.varnish_nodes.is_empty() {
        None
    } else {
        let guard = ContractGuard::new()
            .contract::<Tenant>()
            .contract::<User>()
            .contract::<Project>();
        let executor = VarnishExecutor::new(&config.varnish_nodes)?;
        let window = BridgeConfig {
            window: Duration::from_millis(50),
            ..BridgeConfig::default()
        };
        Some(EdgeBridge::spawn(
            &subscriber,
            Purger::new(executor),
            guard,
            window,
        ))
    };
    let app = axum::Router::new()
        .route("/tenants", axum::routing::post(create_tenant))
        .route("/tenants/{tenant}", get(get_tenant))
        .route("/t/{tenant}/users", get(list_users).post(create_user))
        .route("/t/{tenant}/users/{id}", get(get_user).put(update_user))
        .route("/t/{tenant}/projects", axum::routing::post(create_project))
        .route(
            "/t/{tenant}/projects/{id}",
            get(get_project).put(update_project),
        )
        .layer(EdgeTagLayer::new([Cdn::Varnish]))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "HTTP server stopped");
        }
    });
    Ok(Running {
        addr,
        bridge,
        server,
    })
}

/// An error answer: a status and a message, as JSON.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({"error": self.1}))).into_response()
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) if db.code() == &tokio_postgres::error::SqlState::UNIQUE_VIOLATION => {
                ApiError(StatusCode::CONFLICT, db.message().to_string())
            }
            Some(db) if db.code() == &tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION => {
                ApiError(StatusCode::NOT_FOUND, db.message().to_string())
            }
            _ => {
                tracing::error!(error = %e, "database error");
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, "database error".into())
            }
        }
    }
}

impl From<cache_contract::tiered::CacheError> for ApiError {
    fn from(e: cache_contract::tiered::CacheError) -> Self {
        tracing::error!(error = %e, "invalidation failed");
        ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("invalidation failed: {e}"),
        )
    }
}

fn not_found(what: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no such {what}"))
}

type ApiResult = Result<Response, ApiError>;

/// A row as JSON, with where it came from.
fn row_response<T: serde::Serialize>(row: &T, from_database: bool) -> Response {
    let mut headers = HeaderMap::new();
    let from = if from_database { "database" } else { "cache" };
    headers.insert("x-served-from", HeaderValue::from_static(from));
    (headers, Json(row)).into_response()
}

/// Reads a row through its cache: `(row, whether the database was asked)`.
async fn cached<T, F, Fut>(
    cache: &TieredCache<T>,
    tenant: &TenantId,
    key: &T::Key,
    what: &str,
    load: F,
) -> Result<(Arc<T>, bool), ApiError>
where
    T: CacheContract,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Option<T>, tokio_postgres::Error>>,
{
    let loaded = AtomicBool::new(false);
    let result = cache
        .get_or_load(tenant, key, || async {
            loaded.store(true, Ordering::Relaxed);
            match load().await {
                Ok(Some(row)) => Ok(row),
                Ok(None) => Err(not_found(what)),
                Err(e) => Err(ApiError::from(e)),
            }
        })
        .await;
    match result {
        Ok(row) => Ok((row, loaded.load(Ordering::Relaxed))),
        Err(LoadError::Loader(e)) => Err(e),
        Err(LoadError::WrongRow { expected, found }) => Err(ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the query for `{expected}` returned `{found}`"),
        )),
    }
}

fn tenant_row(r: &Row) -> Tenant {
    Tenant {
        id: r.get("id"),
        slug: r.get("slug"),
        name: r.get("name"),
        created_at: r.get("created_at"),
        plan: r.get("plan"),
    }
}

fn user_row(r: &Row) -> User {
    User {
        tenant_id: r.get("tenant_id"),
        id: r.get("id"),
        email: r.get("email"),
        full_name: r.get("full_name"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

fn project_row(r: &Row) -> Project {
    Project {
        tenant_id: r.get("tenant_id"),
        id: r.get("id"),
        owner_id: r.get("owner_id"),
        name: r.get("name"),
        archived: r.get("archived"),
        description: r.get("description"),
    }
}

const TENANT: &str = "id, slug, name, created_at, plan::text AS plan";
const USER: &str = "tenant_id, id, email, full_name, created_at, updated_at";
const PROJECT: &str = "tenant_id, id, owner_id, name, archived, description";

#[derive(Deserialize)]
struct NewTenant {
    slug: String,
    name: String,
}

async fn create_tenant(State(s): State<Arc<AppState>>, Json(new): Json<NewTenant>) -> ApiResult {
    let sql = format!("INSERT INTO tenants (slug, name) VALUES ($1, $2) RETURNING {TENANT}");
    let row = s.db.query_one(&sql, &[&new.slug, &new.name]).await?;
    Ok((StatusCode::CREATED, Json(tenant_row(&row))).into_response())
}

async fn get_tenant(
    State(s): State<Arc<AppState>>,
    Path(id): Path<Uuid>,
    Extension(r): Extension<Rendered>,
) -> ApiResult {
    let sql = format!("SELECT {TENANT} FROM tenants WHERE id = $1");
    let (tenant, db) = cached(&s.tenants, &TenantId::global(), &id, "tenant", || async {
        Ok(s.db.query_opt(&sql, &[&id]).await?.as_ref().map(tenant_row))
    })
    .await?;
    r.row(tenant.as_ref());
    Ok(row_response(tenant.as_ref(), db))
}

async fn list_users(
    State(s): State<Arc<AppState>>,
    Path(tenant): Path<Uuid>,
    Extension(r): Extension<Rendered>,
) -> ApiResult {
    let sql = format!("SELECT {USER} FROM users WHERE tenant_id = $1 ORDER BY id LIMIT 100");
    let users: Vec<User> =
        s.db.query(&sql, &[&tenant])
            .await?
            .iter()
            .map(user_row)
            .collect();
    r.rows(&TenantId::new(tenant), &users);
    Ok(Json(users).into_response())
}

#[derive(Deserialize)]
struct UserChange {
    email: Option<String>,
    full_name: Option<String>,
}

async fn create_user(
    State(s): State<Arc<AppState>>,
    Path(tenant): Path<Uuid>,
    Json(new): Json<UserChange>,
) -> ApiResult {
    let Some(email) = new.email else {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`email` is required".into(),
        ));
    };
    let sql = format!(
        "INSERT INTO users (tenant_id, email, full_name) VALUES ($1, $2, $3) RETURNING {USER}"
    );
    let row =
        s.db.query_one(&sql, &[&tenant, &email, &new.full_name])
            .await?;
    // A new row changes the tenant's lists: the table, not a key.
    s.users.invalidate_table(&TenantId::new(tenant)).await?;
    Ok((StatusCode::CREATED, Json(user_row(&row))).into_response())
}

async fn get_user(
    State(s): State<Arc<AppState>>,
    Path((tenant, id)): Path<(Uuid, i64)>,
    Extension(r): Extension<Rendered>,
) -> ApiResult {
    let sql = format!("SELECT {USER} FROM users WHERE tenant_id = $1 AND id = $2");
    let (user, db) = cached(&s.users, &TenantId::new(tenant), &id, "user", || async {
        Ok(s.db
            .query_opt(&sql, &[&tenant, &id])
            .await?
            .as_ref()
            .map(user_row))
    })
    .await?;
    r.row(user.as_ref());
    Ok(row_response(user.as_ref(), db))
}

async fn update_user(
    State(s): State<Arc<AppState>>,
    Path((tenant, id)): Path<(Uuid, i64)>,
    Json(change): Json<UserChange>,
) -> ApiResult {
    let sql = format!(
        "UPDATE users SET email = COALESCE($3, email), full_name = COALESCE($4, full_name)
         WHERE tenant_id = $1 AND id = $2 RETURNING {USER}"
    );
    let row =
        s.db.query_opt(&sql, &[&tenant, &id, &change.email, &change.full_name])
            .await?;
    let Some(row) = row else {
        return Err(not_found("user"));
    };
    s.users.invalidate_key(&TenantId::new(tenant), &id).await?;
    Ok(Json(user_row(&row)).into_response())
}

#[derive(Deserialize)]
struct ProjectChange {
    name: Option<String>,
    description: Option<String>,
    owner_id: Option<i64>,
    archived: Option<bool>,
}

async fn create_project(
    State(s): State<Arc<AppState>>,
    Path(tenant): Path<Uuid>,
    Json(new): Json<ProjectChange>,
) -> ApiResult {
    let Some(name) = new.name else {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`name` is required".into(),
        ));
    };
    let sql = format!(
        "INSERT INTO projects (tenant_id, name, description, owner_id) VALUES ($1, $2, $3, $4) RETURNING {PROJECT}"
    );
    let description = new.description.unwrap_or_default();
    let row =
        s.db.query_one(&sql, &[&tenant, &name, &description, &new.owner_id])
            .await?;
    s.projects.invalidate_table(&TenantId::new(tenant)).await?;
    Ok((StatusCode::CREATED, Json(project_row(&row))).into_response())
}

async fn get_project(
    State(s): State<Arc<AppState>>,
    Path((tenant, id)): Path<(Uuid, i64)>,
    Extension(r): Extension<Rendered>,
) -> ApiResult {
    let sql = format!("SELECT {PROJECT} FROM projects WHERE tenant_id = $1 AND id = $2");
    let (project, db) = cached(
        &s.projects,
        &TenantId::new(tenant),
        &id,
        "project",
        || async {
            Ok(s.db
                .query_opt(&sql, &[&tenant, &id])
                .await?
                .as_ref()
                .map(project_row))
        },
    )
    .await?;
    r.row(project.as_ref());
    Ok(row_response(project.as_ref(), db))
}

async fn update_project(
    State(s): State<Arc<AppState>>,
    Path((tenant, id)): Path<(Uuid, i64)>,
    Json(change): Json<ProjectChange>,
) -> ApiResult {
    let sql = format!(
        "UPDATE projects SET name = COALESCE($3, name), description = COALESCE($4, description),
                owner_id = COALESCE($5, owner_id), archived = COALESCE($6, archived)
         WHERE tenant_id = $1 AND id = $2 RETURNING {PROJECT}"
    );
    let row =
        s.db.query_opt(
            &sql,
            &[
                &tenant,
                &id,
                &change.name,
                &change.description,
                &change.owner_id,
                &change.archived,
            ],
        )
        .await?;
    let Some(row) = row else {
        return Err(not_found("project"));
    };
    s.projects
        .invalidate_key(&TenantId::new(tenant), &id)
        .await?;
    Ok(Json(project_row(&row)).into_response())
}
