package io.rtml.sink;

import java.net.URI;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisURIHelper;

/** Opens connections to the Redis that {@link RedisSettings} describe: AUTH, TLS, database. */
public final class RedisClients {
    private RedisClients() {}

    /**
     * A connection to {@code settings.uri()}: over TLS, checking the server's name, for {@code
     * rediss://}; authenticated with {@code settings.security()}'s credentials, or those in the
     * URI.
     */
    public static Jedis connect(RedisSettings settings, int connectTimeoutMs, int socketTimeoutMs) {
        URI uri = URI.create(settings.uri());
        RedisSecurity security = settings.security();
        String user = security.username() != null ? security.username() : uriUser(uri);
        String password =
                security.password() != null ? security.password() : JedisURIHelper.getPassword(uri);
        DefaultJedisClientConfig.Builder config =
                DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(connectTimeoutMs)
                        .socketTimeoutMillis(socketTimeoutMs)
                        .database(JedisURIHelper.getDBIndex(uri))
                        .user(user)
                        .password(password);
        if (JedisURIHelper.isRedisSSLScheme(uri)) {
            config.ssl(true)
                    .sslSocketFactory(security.socketFactory())
                    .sslParameters(RedisSecurity.verifyingHostname());
        }
        return new Jedis(JedisURIHelper.getHostAndPort(uri), config.build());
    }

    private static String uriUser(URI uri) {
        String user = JedisURIHelper.getUser(uri);
        return user == null || user.isEmpty() ? null : user;
    }
}
