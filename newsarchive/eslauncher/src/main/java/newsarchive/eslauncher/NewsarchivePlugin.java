package newsarchive.eslauncher;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.Analyzer;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestHandler;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the slim node (server jar + Netty) lacks and newsarchive needs.
 *
 * <p>Elastic ships the language analyzers and most token filters in the
 * {@code analysis-common} module and {@code GET /} in {@code rest-root}; neither is on
 * Maven Central. This plugin registers the {@code english} analyzer exactly as
 * Elasticsearch defines it (Lucene's EnglishAnalyzer, default English stop words,
 * optional {@code stopwords} and {@code stem_exclusion}), the token filters the
 * mappings use, and the root endpoint the Python client's info() and ping() call.
 */
public class NewsarchivePlugin extends Plugin implements AnalysisPlugin, ActionPlugin {
    private volatile ClusterService clusterService;

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService = services.clusterService();
        return List.of();
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", (indexSettings, env, name, settings) -> new AbstractIndexAnalyzerProvider<EnglishAnalyzer>(name) {
            private final EnglishAnalyzer analyzer = new EnglishAnalyzer(
                Analysis.parseStopWords(env, settings, EnglishAnalyzer.getDefaultStopSet()),
                Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET));

            @Override
            public EnglishAnalyzer get() {
                return analyzer;
            }
        });
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "lowercase", (indexSettings, env, name, settings) -> normalizing(name, LowerCaseFilter::new),
            "asciifolding", (indexSettings, env, name, settings) -> {
                boolean preserve = settings.getAsBoolean("preserve_original", false);
                return normalizing(name, in -> new ASCIIFoldingFilter(in, preserve));
            },
            "porter_stem", (indexSettings, env, name, settings) -> filter(name, PorterStemFilter::new),
            "kstem", (indexSettings, env, name, settings) -> filter(name, KStemFilter::new),
            "stemmer", (indexSettings, env, name, settings) -> stemmer(name, settings)
        );
    }

    /** The subset of Elasticsearch's {@code stemmer} filter that covers English. */
    private static TokenFilterFactory stemmer(String name, Settings settings) {
        String language = settings.get("language", settings.get("name", "english"));
        return switch (language) {
            case "english", "porter" -> filter(name, PorterStemFilter::new);
            case "light_english" -> filter(name, KStemFilter::new);
            case "minimal_english" -> filter(name, EnglishMinimalStemFilter::new);
            case "possessive_english" -> filter(name, EnglishPossessiveFilter::new);
            default -> throw new IllegalArgumentException(
                "stemmer language [" + language + "] is not available on the newsarchive local node "
                    + "(english, porter, light_english, minimal_english, possessive_english)");
        };
    }

    private static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> create) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return create.apply(in);
            }
        };
    }

    /** A filter that is also usable in keyword normalizers (applies per term, no stemming). */
    private static TokenFilterFactory normalizing(String name, Function<TokenStream, TokenStream> create) {
        return new NormalizingTokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return create.apply(in);
            }
        };
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        RestHandlersServices services,
        Supplier<org.elasticsearch.cluster.node.DiscoveryNodes> nodesInCluster,
        Predicate<org.elasticsearch.features.NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootHandler(() -> clusterService));
    }
}
