// OAuth 2.0 Form Post Response Mode: send the answer on to the client at
// once; without JavaScript the person presses the button.
document.forms[0].submit();
