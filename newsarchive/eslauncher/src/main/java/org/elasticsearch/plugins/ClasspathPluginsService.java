package org.elasticsearch.plugins;

import org.elasticsearch.common.settings.Settings;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A PluginsService whose plugins are classes already on the classpath.
 *
 * <p>It lives in Elasticsearch's package because {@code LoadedPlugin} and
 * {@code loadPlugin} are package-private: the stock service only loads plugins from
 * installed bundles, and this launcher has no bundles, only jars from Maven Central.
 */
public class ClasspathPluginsService extends PluginsService {
    private final List<LoadedPlugin> classpathPlugins;

    public ClasspathPluginsService(Settings settings, PluginsLoader loader, Collection<Class<? extends Plugin>> pluginClasses) {
        super(settings, null, loader);
        classpathPlugins = new ArrayList<>(pluginClasses.size());
        ClassLoader classLoader = ClasspathPluginsService.class.getClassLoader();
        for (Class<? extends Plugin> pluginClass : pluginClasses) {
            Plugin plugin = loadPlugin(pluginClass, settings, null);
            PluginDescriptor descriptor = new PluginDescriptor(
                pluginClass.getName(),            // name
                "classpath plugin of newsarchive", // description
                "NA",                              // version
                org.elasticsearch.Build.current().version(), // elasticsearch version
                "21",                              // java version
                pluginClass.getName(),             // class name
                null,                              // module name
                List.of(),                         // extended plugins
                false,                             // has native controller
                false,                             // licensed
                false,                             // modular
                false,                             // stable api
                PluginDescriptor.DeploymentTarget.ALL
            );
            classpathPlugins.add(new LoadedPlugin(descriptor, plugin, classLoader));
        }
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }
}
