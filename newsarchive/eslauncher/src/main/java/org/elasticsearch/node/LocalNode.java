package org.elasticsearch.node;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * A node built from classpath plugins only.
 *
 * <p>In Elasticsearch's package because {@code NodeConstruction} and
 * {@code NodeServiceProvider} are package-private; this is the same seam Elasticsearch's
 * own test framework uses to start a node without an installed distribution.
 */
public class LocalNode extends Node {
    public LocalNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(
            environment,
            PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false),
            new NodeServiceProvider() {
                @Override
                PluginsService newPluginService(Environment env, PluginsLoader loader) {
                    return new ClasspathPluginsService(env.settings(), loader, plugins);
                }
            },
            true));
    }
}
