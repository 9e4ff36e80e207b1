vcl 4.1;
# The reference VCL for cache-contract's edge tags on Varnish with vmod-xkey
# (`varnish-modules`): objects are indexed by the tags of their `xkey` response header, and
# `PURGE` requests from `purgers` with an `xkey-purge` (or `xkey-softpurge`) header remove
# every object carrying one of its space-separated tags. `X-Cache` tells a hit from a miss.
import xkey;

backend default {
    .host = "{{BACKEND_HOST}}";
    .port = "{{BACKEND_PORT}}";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
        }
        if (req.http.xkey-softpurge) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
            return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
        }
        return (synth(400, "PURGE needs an xkey-purge or xkey-softpurge header"));
    }
}

sub vcl_backend_response {
    if (!beresp.http.Cache-Control) {
        set beresp.ttl = 1h;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
