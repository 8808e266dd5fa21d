using Serilog;

namespace SupportSignal.Web.Infrastructure;

public static class PipelineExtensions
{
    public static WebApplication UseSupportSignalPipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            // Production shows a page with a correlation id only; the detail goes to the log.
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                StatusCodeSelector = DatabaseErrors.StatusCodeFor,
            });
            app.UseHsts();
        }

        app.UseSecurityHeaders();
        // Renders 403, 404 and 400 as pages while keeping their status codes.
        app.UseStatusCodePagesWithReExecute("/status/{0}");
        app.UseSerilogRequestLogging();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        // After authorization: only a signed-in system admin's export counts against the limits.
        app.UseRateLimiter();
        app.MapRazorPages();
        return app;
    }

    // Scripts and styles come only from our own files (no inline script or style anywhere), and
    // only our own pages may frame a page: the export page reads a failed download's error page
    // from a hidden same-origin iframe.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
        "base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    private static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });
        return app;
    }
}
