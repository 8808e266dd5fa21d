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
        app.UseAllowedMethods();
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

    /// <summary>The only methods any page, file or unknown URL answers; everything else is 405 with <c>Allow</c>.</summary>
    public static readonly string[] AllowedMethods = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post];

    // Before static files, routing and authentication, so TRACE, OPTIONS, PUT... never reach a page
    // model (one with no handler for them rendered with a half-built model), whoever asks. Its own
    // plain body keeps the status-code pages out. Method overrides (X-HTTP-Method-Override, _method)
    // are never honoured: no override middleware runs.
    private static WebApplication UseAllowedMethods(this WebApplication app)
    {
        var allow = string.Join(", ", AllowedMethods);
        app.Use((context, next) =>
        {
            var method = context.Request.Method;
            if (AllowedMethods.Any(m => HttpMethods.Equals(m, method)))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = allow;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("405 Method Not Allowed: this site answers GET, HEAD and POST only.\n", context.RequestAborted);
        });
        return app;
    }

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
