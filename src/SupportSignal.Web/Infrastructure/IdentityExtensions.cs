using System.Security.Claims;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;

using SupportSignal.Data;
using SupportSignal.Data.Entities;

namespace SupportSignal.Web.Infrastructure;

public static class IdentityExtensions
{
    public const int MaxFailedAccessAttempts = 5;
    public const string CookieName = "SupportSignal.Auth";

    /// <summary>
    /// Keeps the key ring in the shared database, so every instance behind a load balancer
    /// can read the others' cookies and antiforgery tokens.
    /// </summary>
    public static IServiceCollection AddSupportSignalDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("SupportSignal");
        services.AddSingleton<IXmlRepository, DatabaseXmlRepository>();
        // The key manager reads its repository from options, not from the container.
        services.AddOptions<KeyManagementOptions>()
            .Configure<IXmlRepository>((options, repository) => options.XmlRepository = repository);
        return services;
    }

    public static IServiceCollection AddSupportSignalIdentity(this IServiceCollection services, IWebHostEnvironment environment)
    {
        services.AddIdentity<User, Role>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = MaxFailedAccessAttempts;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Password.RequiredLength = 12;
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<SupportSignalDbContext>()
            .AddDefaultTokenProviders();

        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            // Plain http is only acceptable on a developer's machine.
            options.Cookie.SecurePolicy = environment.IsDevelopment()
                ? CookieSecurePolicy.SameAsRequest
                : CookieSecurePolicy.Always;
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.AccessDeniedPath = "/account/access-denied";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.Events.OnRedirectToAccessDenied = ForbidInPlace;
            options.Events.OnSignedIn = LogSignIn;
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SystemAdmin, policy => policy.RequireAuthenticatedUser().RequireRole(Policies.SystemAdminRole));

        return services;
    }

    // A redirect would answer 302 and then 200, which tells a client (and a scanner) nothing
    // useful and loses the method. Answering 403 here lets the status-code page middleware
    // render the access-denied page under the original URL, for GET and POST alike.
    private static Task ForbidInPlace(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    // Only the user id: e-mail addresses and names are personal details and stay out of logs.
    private static Task LogSignIn(CookieSignedInContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("SupportSignal.Web.SignIn");
        var userId = context.Principal?.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        logger.LogInformation("User {UserId} signed in", userId);
        return Task.CompletedTask;
    }
}
