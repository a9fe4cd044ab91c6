//! More than one window in one WebDriver session: the windows share the browser profile (storage,
//! Web Locks, BroadcastChannel), as tabs of one person's browser do.

use fantoccini::wd::WindowHandle;

use super::Browser;

impl Browser {
    /// The window commands go to now.
    pub async fn current_window(&self) -> WindowHandle {
        self.client.window().await.expect("the current window")
    }

    /// Opens another window (not a background tab: both stay in the foreground, as side by side
    /// windows do) and makes it the one commands go to.
    pub async fn open_window(&self) -> WindowHandle {
        let handle = self.client.new_window(false).await.expect("a new window").handle;
        self.switch_to(&handle).await;
        handle
    }

    /// Makes `window` the one commands (and `cdp`) go to.
    pub async fn switch_to(&self, window: &WindowHandle) {
        self.client.switch_to_window(window.clone()).await.expect("the window is still open");
    }
}
