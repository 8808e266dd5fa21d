using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace SupportSignal.Web.Infrastructure;

public static partial class PagesExtensions
{
    /// <summary>
    /// Razor Pages whose folders mirror the URLs: Pages/Admin/DeveloperTools/Export is served at
    /// /admin/developer-tools/export. Authorization is declared here, per folder, never per page.
    /// </summary>
    public static IServiceCollection AddSupportSignalPages(this IServiceCollection services)
    {
        services.AddRouting(options => options.LowercaseUrls = true);
        services.AddRazorPages(options =>
        {
            options.Conventions.Add(new PageRouteTransformerConvention(new KebabCaseTransformer()));
            // The admin landing page only lists system-admin tools, so the whole area is theirs;
            // the developer tools are declared too so that moving either folder keeps them guarded.
            options.Conventions.AuthorizeFolder("/Admin", Policies.SystemAdmin);
            options.Conventions.AuthorizeFolder("/Admin/DeveloperTools", Policies.SystemAdmin);
            // The 403 re-executed by the status-code middleware lands on the access-denied page.
            options.Conventions.AddPageRoute("/Account/AccessDenied", "status/403");
        }).AddMvcOptions(options =>
        {
            // No page posts jQuery-style keys (a[b]=c), and their parser throws on a field name with an
            // unclosed bracket, which turned any such post into a 500. Plain form and query binding remain.
            options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            options.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
        });
        return services;
    }

    private sealed partial class KebabCaseTransformer : IOutboundParameterTransformer
    {
        public string? TransformOutbound(object? value) =>
            value is null ? null : PascalBoundary().Replace(value.ToString()!, "$1-$2").ToLowerInvariant();

        [GeneratedRegex("([a-z0-9])([A-Z])")]
        private static partial Regex PascalBoundary();
    }
}
