"""Forms for the user's own account: login, password change, API tokens."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label="新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 10 个字符，不能全是数字，不能过于常见，也不能与用户名、姓名相近。",
    )
    new_password2 = forms.CharField(
        label="再次输入新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", "两次输入的新密码不一致")
        elif new1:
            # Django's validators, whose messages the zh-hans locale translates.
            try:
                password_validation.validate_password(new1, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", [_chinese(e) for e in error.error_list])
        return cleaned


def _chinese(error: forms.ValidationError) -> forms.ValidationError:
    # Django 5.2 changed this message's msgid and its zh-hans catalogue has not caught up, so it
    # would show in English; the other validators' messages are translated.
    if error.code == "password_too_short":
        return forms.ValidationError(
            f"密码太短，至少需要 {error.params['min_length']} 个字符。", code=error.code
        )
    return error


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="用途", max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "例如：数据同步脚本"}),
    )
