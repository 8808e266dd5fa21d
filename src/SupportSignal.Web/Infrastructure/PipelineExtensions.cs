using Serilog;

namespace SupportSignal.Web.Infrastructure;

public static class PipelineExtensions
{
    public static WebApplication UseSupportSignalPipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            // Production shows a page with a correlation id only; the detail goes to the log.
            app.UseExceptionHandler("/error");
            app.UseHsts();
        }

        // Renders 403, 404 and 400 as pages while keeping their status codes.
        app.UseStatusCodePagesWithReExecute("/status/{0}");
        app.UseSerilogRequestLogging();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        return app;
    }
}
