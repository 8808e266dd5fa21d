using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SupportSignal.TestSupport;

/// <summary>Every URL the app answers, read from its own routing, so a page added later is covered too.</summary>
public static partial class SitePages
{
    /// <summary>One URL per routed page (route values filled in), a static file and a URL nothing serves.</summary>
    public static IReadOnlyList<string> Urls(SupportSignalAppFactory app)
    {
        var pages = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => "/" + RouteValue().Replace(e.RoutePattern.RawText?.TrimStart('/') ?? "", "404"))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        return [.. pages, "/favicon.svg", "/no-such-page"];
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteValue();
}
