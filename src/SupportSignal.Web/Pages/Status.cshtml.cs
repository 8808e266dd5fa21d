using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SupportSignal.Web.Pages;

/// <summary>The body of an error status (404, 400, ...), re-executed under the original URL and method.</summary>
public sealed class StatusModel : PageModel
{
    public int Code { get; private set; }

    public string Heading => Code switch
    {
        StatusCodes.Status404NotFound => "Page not found",
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status429TooManyRequests => "Another export is running",
        _ => "Something went wrong",
    };

    public string Message => Code switch
    {
        StatusCodes.Status404NotFound => "There is no page at this address.",
        StatusCodes.Status400BadRequest => "The request was not valid. Reload the page and try again.",
        StatusCodes.Status429TooManyRequests =>
            "Another export is running: the server streams only a few at once, and one per person. Try again in a minute.",
        _ => "The request could not be completed.",
    };

    // The code comes from the route, not model binding: a re-executed POST whose form cannot be
    // read (a NUL byte, say) must still render its own status, not fall back to 404.
    public void OnGet()
    {
        Code = int.TryParse(RouteData.Values["code"]?.ToString(), out var code) && code is >= 400 and <= 599 ? code : StatusCodes.Status404NotFound;
        Response.StatusCode = Code;
    }

    public void OnPost() => OnGet();
}
