package io.flashsale.console;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The console page is a static resource (META-INF/resources/console/index.html), served for
 * {@code /console/}; {@code /console} without the slash is sent there, so the page's relative
 * links (console.css, console.js) resolve. The regex matches that one path only.
 */
@ApplicationScoped
public class ConsolePage {

    void redirectToTheDirectory(@Observes Router router) {
        router.routeWithRegex(HttpMethod.GET, "/console").handler(context -> context.redirect("/console/"));
    }
}
