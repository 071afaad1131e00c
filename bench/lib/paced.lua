-- wrk script for the zero-downtime benchmark: each kept-alive connection waits this many milliseconds between
-- requests. Unpaced, wrk alone takes a whole core of a two-core machine and starves the TLS handshake generator,
-- which is what the benchmark is about; paced, 8 connections still send a few thousand requests a second.
function delay()
    return 2
end
